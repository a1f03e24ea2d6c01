import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { hashOf } from '../src/governance/audit/index.js';
import { entry } from '../src/governance/audit/test-entries.js';
import { createSqlStores, type SqlStoreOptions } from '../src/stores/sql/index.js';
import { auditColumns } from '../src/stores/sql/sql-audit-rows.js';
import { testDatabases, type TestDatabase } from '../src/stores/sql/test-databases.js';

/**
 * `gatehouse audit verify` against a database someone tampered with directly (SQL on the tables,
 * as a person with database access would): it exits 1 and names exactly the first bad record;
 * on an intact log it exits 0. On the embedded SQLite and on Postgres alike.
 */

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

const length = 30;
const workDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-audit-verify-'));

interface Deployment {
  readonly options: SqlStoreOptions;
  readonly env: Record<string, string>;
  /** Runs SQL statements on the deployment's database, outside Gatehouse. */
  tamper(...statements: string[]): Promise<void>;
}

/** A database holding a chain of `length` records, appended through the store in three batches. */
async function deployment(testDatabase: TestDatabase): Promise<Deployment> {
  const options: SqlStoreOptions & { dataDir: string } = await testDatabase.isolated();
  const stores = await createSqlStores(options);
  try {
    for (const start of [1, 11, 21]) {
      await stores.audit.append(
        Array.from({ length: 10 }, (_, index) => ({
          ...entry(start + index),
          eventId: `event-${start + index}`,
        })),
      );
    }
  } finally {
    await stores.close();
  }
  if (testDatabase.dialect === 'sqlite') {
    return {
      options,
      env: { GATEHOUSE_DATA_DIR: options.dataDir },
      tamper(...statements) {
        const connection = new DatabaseSync(join(options.dataDir, 'gatehouse.db'));
        try {
          for (const statement of statements) connection.exec(statement);
        } finally {
          connection.close();
        }
        return Promise.resolve();
      },
    };
  }
  return {
    options,
    env: {
      DATABASE_URL: options.databaseUrl!,
      GATEHOUSE_DATABASE_SCHEMA: options.schema!,
      GATEHOUSE_DATA_DIR: workDirectory,
    },
    async tamper(...statements) {
      const client = new pg.Client({
        connectionString: options.databaseUrl,
        options: `-c search_path=${options.schema}`,
      });
      await client.connect();
      try {
        for (const statement of statements) await client.query(statement);
      } finally {
        await client.end();
      }
    },
  };
}

async function verify(target: Deployment, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: ['audit', 'verify', ...args],
    env: target.env,
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

/** Copies record `from` as a new row numbered `seq` with another event id (hash and all). */
function copyOf(from: number, seq: number, eventId: string): string {
  const columns = auditColumns.filter((column) => column !== 'seq' && column !== 'event_id');
  return (
    `insert into audit_records (seq, event_id, ${columns.map((column) => `"${column}"`).join(', ')}) ` +
    `select ${seq}, '${eventId}', ${columns.map((column) => `"${column}"`).join(', ')} from audit_records where seq = ${from}`
  );
}

function expectBrokenAt(result: { code: number | undefined; stderr: string; stdout: string }, seq: number) {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(`first bad sequence number: ${seq}\n`);
  expect(result.stderr).toMatch(new RegExp(`NOT intact: record ${seq}\\b`));
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

for (const testDatabase of databases) {
  describe(`gatehouse audit verify on ${testDatabase.dialect}`, () => {
    it('exits 0 on an intact log, for the whole chain and for ranges', async () => {
      const target = await deployment(testDatabase);
      const whole = await verify(target);
      expect(whole).toMatchObject({ code: 0, stderr: '' });
      expect(whole.stdout).toMatch(
        /^audit log intact: records 1–30 \(30 checked\), ending at the chain's head [0-9a-f]{64}\n$/,
      );
      expect((await verify(target, '--from', '5', '--to', '12')).stdout).toMatch(
        /^audit log intact: records 5–12 \(8 checked\); record 12's hash [0-9a-f]{64}\n$/,
      );
      expect((await verify(target, '--from', '2000-01-01T00:00:00Z')).stdout).toMatch(
        /records 1–30 \(30 checked\)/,
      );
      expect(await verify(target, '--to', '2000-01-01')).toMatchObject({
        code: 0,
        stdout: 'audit log intact: no records in the range\n',
      });
    });

    it('names an edited record', async () => {
      const target = await deployment(testDatabase);
      await target.tamper(`update audit_records set decision = 'deny' where seq = 17`);
      expectBrokenAt(await verify(target), 17);
      // A range before the edit does not read it; one that includes it does.
      expect((await verify(target, '--from', '1', '--to', '16')).code).toBe(0);
      expectBrokenAt(await verify(target, '--from', '15'), 17);
    });

    it('finds an edit whose hash was recomputed where the next record no longer follows it', async () => {
      const target = await deployment(testDatabase);
      const stores = await createSqlStores(target.options);
      const [original] = await stores.audit.read({ fromSeq: 9, toSeq: 9, limit: 1 });
      await stores.close();
      const details = { subject: 'agent' };
      const { hash: _hash, ...rest } = original!;
      const forgedHash = hashOf({ ...rest, details });
      await target.tamper(
        `update audit_records set details = '${JSON.stringify(details)}', hash = '${forgedHash}' where seq = 9`,
      );
      const result = await verify(target);
      expectBrokenAt(result, 10);
      expect(result.stderr).toContain('record 10 does not follow record 9');
    });

    it('names a deleted record, in the middle and at the end', async () => {
      const middle = await deployment(testDatabase);
      await middle.tamper('delete from audit_records where seq = 12');
      expectBrokenAt(await verify(middle), 12);
      const end = await deployment(testDatabase);
      await end.tamper(`delete from audit_records where seq = ${length}`);
      expectBrokenAt(await verify(end), length);
    });

    it('names an inserted record, in the middle (later records renumbered) and at the end', async () => {
      const middle = await deployment(testDatabase);
      await middle.tamper(
        'update audit_records set seq = seq + 1000 where seq >= 20',
        'update audit_records set seq = seq - 999 where seq >= 1000',
        copyOf(5, 20, 'forged-middle'),
        'update audit_head set seq = seq + 1',
      );
      expectBrokenAt(await verify(middle), 20);
      const end = await deployment(testDatabase);
      await end.tamper(copyOf(length, length + 1, 'forged-end'));
      expectBrokenAt(await verify(end), length + 1);
      // Appending stops there, and says why (the writer keeps the records and retries).
      const stores = await createSqlStores(end.options);
      try {
        await expect(stores.audit.append([{ ...entry(99), eventId: 'after-forgery' }])).rejects.toThrow(
          /a record past its head, added outside Gatehouse/,
        );
      } finally {
        await stores.close();
      }
    });

    it('names the first of two records swapped', async () => {
      const target = await deployment(testDatabase);
      await target.tamper(
        'update audit_records set seq = -8 where seq = 8',
        'update audit_records set seq = 8 where seq = 9',
        'update audit_records set seq = 9 where seq = -8',
      );
      expectBrokenAt(await verify(target), 8);
    });

    it('answers bad bounds with usage (2), and an unreachable database with 1, without a stack trace', async () => {
      const target = await deployment(testDatabase);
      const bad = await verify(target, '--from', 'yesterday');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--from must be a sequence number .* not "yesterday"/);
      expect((await verify(target, '--to', '0')).code).toBe(2);
    });
  });
}

describe('gatehouse audit verify without a database', () => {
  it('exits 1 and says why', async () => {
    const result = await verify({
      options: { dataDir: workDirectory },
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', GATEHOUSE_DATA_DIR: workDirectory },
      tamper: () => Promise.resolve(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^gatehouse audit verify: .*(ECONNREFUSED|connect)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
