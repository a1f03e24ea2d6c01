import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { SqlStoreOptions } from './index.js';
import type { SqlDialect } from './sql-dialect.js';

/**
 * Test support (not used by the gateway): the two databases every store test runs on. Each
 * `isolated()` call gives a database no other test sees: a new temporary directory for SQLite, a
 * new schema `gh_test_<random>_<n>` for Postgres (from DATABASE_URL, default the local server).
 * `cleanUp()` removes them all. Postgres being unreachable is a failure, never a skip.
 */
export interface TestDatabase {
  readonly dialect: SqlDialect;
  isolated(): Promise<SqlStoreOptions & { readonly dataDir: string }>;
  cleanUp(): Promise<void>;
}

export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

export function testDatabases(environment: NodeJS.ProcessEnv): readonly TestDatabase[] {
  return [sqliteTestDatabase(), postgresTestDatabase(environment.DATABASE_URL ?? defaultTestDatabaseUrl)];
}

function sqliteTestDatabase(): TestDatabase {
  const directories: string[] = [];
  return {
    dialect: 'sqlite',
    isolated: () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-sql-test-'));
      directories.push(dataDir);
      return Promise.resolve({ dataDir });
    },
    cleanUp: () => {
      for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

function postgresTestDatabase(databaseUrl: string): TestDatabase {
  const run = `gh_test_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  let reachable = false;
  return {
    dialect: 'postgres',
    isolated: async () => {
      if (!reachable) {
        await assertReachable(databaseUrl);
        reachable = true;
      }
      const schema = `${run}_${schemas.length + 1}`;
      schemas.push(schema);
      return { databaseUrl, schema, dataDir: tmpdir() };
    },
    cleanUp: async () => {
      if (schemas.length === 0) return;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        for (const schema of schemas.splice(0))
          await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

async function assertReachable(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `Postgres is unreachable at ${redacted(databaseUrl)}: the SQL store tests need it (set DATABASE_URL). ` +
        `They fail rather than skip, in CI and locally alike.`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function redacted(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password !== '') url.password = '***';
  return url.toString();
}
