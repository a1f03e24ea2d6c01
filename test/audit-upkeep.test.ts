import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { recordFromExportLine, type AuditEntry } from '../src/governance/audit/index.js';
import { entry } from '../src/governance/audit/test-entries.js';
import { createSqlStores, type SqlStoreOptions, type SqlStores } from '../src/stores/sql/index.js';
import { testDatabases, type TestDatabase } from '../src/stores/sql/test-databases.js';
import { appendDated, openRawDatabase, rewriteConsistently } from './support/audit-tampering.js';
import { startTestGateway } from './support/gateway.js';
import { startTestS3Server, type TestS3Server } from './support/s3-server.js';
import { eventually, writeConfigFile } from './support/shared-state.js';

/**
 * The gateway's audit upkeep and the commands around it, on SQLite and Postgres, against a real
 * S3-compatible server: the running gateway writes checkpoints (to the log and S3) and applies
 * retention (archive, read back, checkpoint, delete); `gatehouse audit verify` then passes, and
 * fails naming the record once the table is rewritten consistently; `gatehouse audit prune` does a
 * run on demand and deletes nothing while S3 is down.
 */

const databases = testDatabases(process.env);
const workDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-audit-upkeep-'));
const dayMs = 86_400_000;
let s3: TestS3Server;

beforeAll(async () => {
  s3 = await startTestS3Server();
});

afterAll(async () => {
  await s3.stop();
  for (const database of databases) await database.cleanUp();
});

function entries(from: number, count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `event-${from + index}`,
  }));
}

function databaseSettings(options: SqlStoreOptions) {
  return {
    data_dir: options.dataDir,
    ...(options.databaseUrl === undefined ? {} : { database_url: options.databaseUrl }),
    ...(options.schema === undefined ? {} : { database_schema: options.schema }),
  };
}

async function cli(options: SqlStoreOptions, config: Record<string, unknown>, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: ['audit', ...args, '--config', writeConfigFile({ ...databaseSettings(options), ...config })],
    env: {},
    cwd: workDirectory,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stderrStream: process.stderr,
    execPath: process.execPath,
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
  });
  return { code, stdout, stderr };
}

/** 200 records appended 40 days ago and 30 appended today. */
async function seeded(testDatabase: TestDatabase): Promise<{ options: SqlStoreOptions; stores: SqlStores }> {
  const options = await testDatabase.isolated();
  const stores = await createSqlStores(options);
  await appendDated(options, Date.now() - 40 * dayMs, entries(1, 200));
  await stores.audit.append(entries(201, 30));
  return { options, stores };
}

const archiveKeys = (prefix: string) => s3.keys(`${prefix}/archive/`);
const checkpointKeys = (prefix: string) => s3.keys(`${prefix}/checkpoints/`);

for (const testDatabase of databases) {
  describe(`audit upkeep on ${testDatabase.dialect}`, () => {
    it('the gateway archives and deletes old records, writes checkpoints, and verify holds it to them', async () => {
      const { options, stores } = await seeded(testDatabase);
      const prefix = `upkeep-${testDatabase.dialect}`;
      const audit = {
        retention_days: 30,
        checkpoints: { every_records: 25 },
        archive: { records_per_object: 150, s3: s3.settings(prefix) },
      };
      const gateway = await startTestGateway({ ...databaseSettings(options), audit });
      try {
        await eventually(
          () => stores.auditArchive.anchor(),
          (anchor) => anchor.seq === 200,
          10_000,
          'retention',
        );
        expect(await archiveKeys(prefix)).toEqual([
          `${prefix}/archive/0000000000000001-0000000000000150.ndjson.gz`,
          `${prefix}/archive/0000000000000151-0000000000000200.ndjson.gz`,
        ]);
        const archived = (await s3.gunzipped((await archiveKeys(prefix))[1]!)).trimEnd().split('\n');
        expect(archived.map((line) => recordFromExportLine(line)?.seq)).toEqual(
          Array.from({ length: 50 }, (_, index) => 151 + index),
        );
        // A periodic checkpoint too (the log is past 25 records), in the log and in S3.
        const periodic = await eventually(
          () =>
            stores.auditArchive.query({
              type: 'checkpoint',
              action: 'audit.checkpoint',
              order: 'asc',
              limit: 10,
            }),
          (found) => found.length > 0,
          10_000,
          'a periodic checkpoint',
        );
        await eventually(
          () => checkpointKeys(prefix),
          (keys) => keys.some((key) => key.endsWith(`${String(periodic[0]!.seq).padStart(16, '0')}.json`)),
          10_000,
          'its object',
        );
        expect(gateway.logs()).toContain('audit records archived and deleted');
      } finally {
        await gateway.close();
      }

      const config = { audit };
      const verified = await cli(options, config, 'verify');
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stdout).toContain('records 1–200 were archived and deleted by retention');
      expect(verified.stdout).toMatch(/\d+ checkpoints in the object store match the log/);

      // Rewritten from record 215 on, every hash recomputed: the chain alone still verifies…
      const raw = openRawDatabase(options);
      try {
        const records = await stores.audit.read({ limit: 1_000 });
        await rewriteConsistently(raw, 215, (record) => ({ ...record, decision: 'deny' }), records);
      } finally {
        await raw.destroy();
      }
      expect((await cli(options, {}, 'verify')).code).toBe(0);
      // …but not against the checkpoints kept in S3.
      const caught = await cli(options, config, 'verify');
      expect(caught.code).toBe(1);
      expect(caught.stderr).toMatch(/first bad sequence number: \d+/);
      const named = Number(/first bad sequence number: (\d+)/.exec(caught.stderr)?.[1]);
      expect(named).toBeGreaterThanOrEqual(215);
      expect(caught.stderr).toContain(`rewritten at or before record ${named}`);
      await stores.close();
    });

    it('gatehouse audit prune runs retention on demand and deletes nothing while S3 is down', async () => {
      const { options, stores } = await seeded(testDatabase);
      const down = await startTestS3Server();
      const unreachable = { audit: { archive: { s3: down.settings('gone') } } };
      await down.stop();
      try {
        const failed = await cli(options, unreachable, 'prune', '--days', '30');
        expect(failed.code).toBe(1);
        expect(failed.stderr).toContain('nothing more deleted');
        expect((await stores.audit.read({ limit: 1_000 })).length).toBe(230);
        expect((await stores.auditArchive.anchor()).seq).toBe(0);

        const prefix = `prune-${testDatabase.dialect}`;
        const reachable = { audit: { archive: { s3: s3.settings(prefix) } } };
        expect((await cli(options, reachable, 'prune')).code).toBe(2);
        const pruned = await cli(options, reachable, 'prune', '--days', '30');
        expect(pruned.code, pruned.stderr).toBe(0);
        expect(pruned.stdout).toContain('archived and deleted records 1–200');
        expect(pruned.stdout).toContain('the log now starts after record 200');
        expect(await archiveKeys(prefix)).toEqual([
          `${prefix}/archive/0000000000000001-0000000000000200.ndjson.gz`,
        ]);
        const again = await cli(options, reachable, 'prune', '--days', '30');
        expect(again.stdout).toContain('nothing to prune');
        expect((await cli(options, reachable, 'verify')).code).toBe(0);
      } finally {
        await stores.close();
      }
    });
  });
}
