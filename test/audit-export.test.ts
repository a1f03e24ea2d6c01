import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import {
  recordFromExportLine,
  verifyChain,
  type AuditEntry,
  type AuditRecord,
} from '../src/governance/audit/index.js';
import { entry } from '../src/governance/audit/test-entries.js';
import { createSqlStores, type SqlStoreOptions } from '../src/stores/sql/index.js';
import { testDatabases, type TestDatabase } from '../src/stores/sql/test-databases.js';
import { spawnCli } from './support/cli.js';
import { startTestS3Server, type TestS3Server } from './support/s3-server.js';
import { writeConfigFile } from './support/shared-state.js';

/**
 * `gatehouse audit export` on SQLite and Postgres: every record once, in order, as the log holds it
 * (the lines re-verify as a chain), to stdout, a file, a gzip file and S3, and through a real
 * process whose exit must not lose the end of the file.
 */

const databases = testDatabases(process.env);
const workDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-audit-export-'));
let s3: TestS3Server;

beforeAll(async () => {
  s3 = await startTestS3Server();
});

afterAll(async () => {
  await s3.stop();
  for (const database of databases) await database.cleanUp();
});

/** More than two pages (the export reads 1,000 records at a time). */
const length = 2_345;

function entries(from: number, count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `event-${from + index}`,
  }));
}

interface Deployment {
  readonly options: SqlStoreOptions;
  readonly env: Record<string, string>;
  /** A configuration file whose audit.archive.s3 is the test server under `prefix`. */
  readonly configWithS3: (prefix: string) => string;
}

async function deployment(testDatabase: TestDatabase): Promise<Deployment> {
  const options = await testDatabase.isolated();
  const stores = await createSqlStores(options);
  try {
    for (let start = 1; start <= length; start += 500) {
      await stores.audit.append(entries(start, Math.min(500, length - start + 1)));
    }
  } finally {
    await stores.close();
  }
  const env: Record<string, string> =
    options.databaseUrl === undefined
      ? { GATEHOUSE_DATA_DIR: options.dataDir }
      : { DATABASE_URL: options.databaseUrl, GATEHOUSE_DATABASE_SCHEMA: options.schema ?? '' };
  return {
    options,
    env,
    configWithS3: (prefix) => writeConfigFile({ audit: { archive: { s3: s3.settings(prefix) } } }),
  };
}

async function cli(target: Deployment, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: ['audit', ...args],
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

function recordsOf(text: string): AuditRecord[] {
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  return lines.slice(0, -1).map((line) => {
    const record = recordFromExportLine(line);
    if (record === undefined) throw new Error(`not a record: ${line.slice(0, 200)}`);
    return record;
  });
}

/** Every record of the log, in order, each hashing right and linked to the one before. */
function expectWholeLog(records: readonly AuditRecord[], from = 1, to = length) {
  expect(records).toHaveLength(to - from + 1);
  expect(records[0]?.seq).toBe(from);
  expect(records.at(-1)?.seq).toBe(to);
  const anchor = from === 1 ? undefined : { nextSeq: from, prevHash: records[0]!.prevHash };
  expect(verifyChain(records, anchor)).toMatchObject({ ok: true, checked: to - from + 1 });
}

let files = 0;
const newFile = (name: string) => join(workDirectory, `${(files += 1)}-${name}`);

for (const testDatabase of databases) {
  describe(`gatehouse audit export on ${testDatabase.dialect}`, () => {
    let target: Deployment;
    beforeAll(async () => {
      target = await deployment(testDatabase);
    });

    it('writes every record to a file, plain or gzip, and never replaces a file', async () => {
      const plain = newFile('audit.ndjson');
      const result = await cli(target, 'export', '--out', plain);
      expect(result).toMatchObject({ code: 0, stdout: '' });
      expect(result.stderr).toContain(`${length} records written to ${plain}`);
      const text = readFileSync(plain, 'utf8');
      expectWholeLog(recordsOf(text));

      const gzipped = newFile('audit.ndjson.gz');
      expect((await cli(target, 'export', '--out', gzipped)).code).toBe(0);
      expect(gunzipSync(readFileSync(gzipped)).toString('utf8')).toBe(text);

      const existing = newFile('kept.ndjson');
      writeFileSync(existing, 'keep me\n');
      const refused = await cli(target, 'export', '--out', existing);
      expect(refused.code).toBe(1);
      expect(readFileSync(existing, 'utf8')).toBe('keep me\n');
    });

    it('exports a range by sequence number or time, and to stdout', async () => {
      const ranged = newFile('range.ndjson');
      expect((await cli(target, 'export', '--from', '1000', '--to', '1099', '--out', ranged)).code).toBe(0);
      expectWholeLog(recordsOf(readFileSync(ranged, 'utf8')), 1_000, 1_099);

      const toStdout = await cli(target, 'export', '--from', '2300');
      expect(toStdout.code).toBe(0);
      expectWholeLog(recordsOf(toStdout.stdout), 2_300, length);

      const future = await cli(target, 'export', '--from', new Date(Date.now() + 3_600_000).toISOString());
      expect(future).toMatchObject({ code: 0, stdout: '' });
      expect(future.stderr).toContain('0 records written');
    });

    it('uploads gzip NDJSON to S3 under a new name, or the name given once', async () => {
      const prefix = `export-${testDatabase.dialect}`;
      const config = target.configWithS3('archive-not-used');
      const result = await cli(target, 'export', '--config', config, '--s3', `s3://${s3.bucket}/${prefix}`);
      expect(result.code, result.stderr).toBe(0);
      const [key, ...others] = await s3.keys(`${prefix}/`);
      expect(others).toEqual([]);
      expect(key).toMatch(new RegExp(`^${prefix}/audit-export-\\d{8}T\\d{6}Z\\.ndjson\\.gz$`));
      expectWholeLog(recordsOf(await s3.gunzipped(key!)));

      const named = `s3://${s3.bucket}/${prefix}/named/january.ndjson.gz`;
      expect((await cli(target, 'export', '--config', config, '--s3', named, '--to', '10')).code).toBe(0);
      expect(recordsOf(await s3.gunzipped(`${prefix}/named/january.ndjson.gz`))).toHaveLength(10);
      const again = await cli(target, 'export', '--config', config, '--s3', named);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists already; it was not replaced');
      expect(recordsOf(await s3.gunzipped(`${prefix}/named/january.ndjson.gz`))).toHaveLength(10);
    });

    it('refuses bad usage with exit code 2', async () => {
      const both = await cli(target, 'export', '--out', newFile('x'), '--s3', `s3://${s3.bucket}/x`);
      expect(both.code).toBe(2);
      expect((await cli(target, 'export', '--s3', 'https://example.com/bucket')).code).toBe(2);
      expect((await cli(target, 'export', '--from', 'last tuesday')).code).toBe(2);
    });

    it('loses no line when the process exits right after writing', async () => {
      const file = newFile('spawned.ndjson.gz');
      const child = spawnCli(['audit', 'export', '--out', file], { env: target.env });
      expect((await child.exited).code, child.stderr()).toBe(0);
      expect(existsSync(file)).toBe(true);
      expectWholeLog(recordsOf(gunzipSync(readFileSync(file)).toString('utf8')));
      const piped = spawnCli(['audit', 'export'], { env: target.env });
      expect((await piped.exited).code, piped.stderr()).toBe(0);
      expectWholeLog(recordsOf(piped.stdout()));
    });
  });
}
