import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqlStores, dialectOf } from './index.js';
import { migrateToLatest } from './migrate.js';
import { openPostgresDatabase } from './postgres-database.js';
import { openSqliteDatabase, sqliteFileName } from './sqlite-database.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

describe.each(databases)('migrations on $dialect', (testDatabase) => {
  it('creates the schema on a fresh database and reports the dialect', async () => {
    const stores = await createSqlStores(await testDatabase.isolated());
    try {
      expect(stores.dialect).toBe(testDatabase.dialect);
      await stores.ping();
      expect(await stores.keys.list()).toEqual([]);
    } finally {
      await stores.close();
    }
  });

  it('applies each migration once, however often it starts', async () => {
    const options = await testDatabase.isolated();
    await (await createSqlStores(options)).close();
    await (await createSqlStores(options)).close();

    const database =
      options.databaseUrl === undefined
        ? openSqliteDatabase(options.dataDir)
        : openPostgresDatabase({
            databaseUrl: options.databaseUrl,
            schema: options.schema,
            onConnectionError: () => {},
          });
    try {
      expect(await migrateToLatest(database, testDatabase.dialect, options.schema)).toEqual([]);
      const applied = await database
        .withTables<{ kysely_migration: { name: string } }>()
        .selectFrom('kysely_migration')
        .select('name')
        .execute();
      expect(applied.map((row) => row.name)).toEqual([
        '0001-keys-and-usage',
        '0002-usage-record-ids',
        '0003-policy-versions',
        '0004-review-queue',
        '0005-audit-log',
        '0006-audit-retention',
        '0007-grants',
        '0008-review-outcomes',
        '0009-analytics',
      ]);
    } finally {
      await database.destroy();
    }
  });
});

describe('migrations on postgres', () => {
  const postgres = databases.find((database) => database.dialect === 'postgres')!;

  it('lets several replicas start at once on an empty schema', async () => {
    const options = await postgres.isolated();
    const replicas = await Promise.all([1, 2, 3, 4].map(() => createSqlStores(options)));
    try {
      const inserted = await Promise.all(
        replicas.map((replica, index) => replica.keys.insert(testKey(`key_${index}`))),
      );
      expect(inserted.every((result) => result.type === 'inserted')).toBe(true);
      expect(await replicas[0]!.keys.list()).toHaveLength(4);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
    const database = openPostgresDatabase({
      databaseUrl: options.databaseUrl!,
      schema: options.schema,
      onConnectionError: () => {},
    });
    try {
      const applied = await database
        .withTables<{ kysely_migration: { name: string } }>()
        .selectFrom('kysely_migration')
        .select('name')
        .execute();
      expect(applied.map((row) => row.name)).toEqual([
        '0001-keys-and-usage',
        '0002-usage-record-ids',
        '0003-policy-versions',
        '0004-review-queue',
        '0005-audit-log',
        '0006-audit-retention',
        '0007-grants',
        '0008-review-outcomes',
        '0009-analytics',
      ]);
    } finally {
      await database.destroy();
    }
  });

  it('keeps every table in its schema and nothing in public', async () => {
    const options = await postgres.isolated();
    await (await createSqlStores(options)).close();
    const client = new pg.Client({ connectionString: options.databaseUrl });
    await client.connect();
    try {
      const result = await client.query<{ table_schema: string; table_name: string }>(
        `select table_schema, table_name from information_schema.tables where table_schema = $1 order by table_name`,
        [options.schema],
      );
      expect(result.rows.map((row) => row.table_name)).toEqual([
        'agent_baselines',
        'agent_grants',
        'analytics_alerts',
        'api_keys',
        'audit_anchor',
        'audit_head',
        'audit_leases',
        'audit_records',
        'grant_swarm_agents',
        'kysely_migration',
        'kysely_migration_lock',
        'policy_versions',
        'review_items',
        'usage_records',
      ]);
    } finally {
      await client.end();
    }
  });

  it('keeps the options already in the database URL', async () => {
    const options = await postgres.isolated();
    const url = new URL(options.databaseUrl!);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const stores = await createSqlStores({ ...options, databaseUrl: url.toString() });
    await stores.close();
    const database = openPostgresDatabase({
      databaseUrl: url.toString(),
      schema: options.schema,
      onConnectionError: () => {},
    });
    try {
      const timeout = await sql<{ statement_timeout: string }>`show statement_timeout`.execute(database);
      const searchPath = await sql<{ search_path: string }>`show search_path`.execute(database);
      expect(timeout.rows[0]?.statement_timeout).toBe('12345ms');
      expect(searchPath.rows[0]?.search_path).toBe(options.schema);
    } finally {
      await database.destroy();
    }
  });

  it("without a schema option, migrates the connection's own schema even when another holds migrator tables", async () => {
    const other = await postgres.isolated();
    await (await createSqlStores(other)).close();
    const own = await postgres.isolated();
    const client = new pg.Client({ connectionString: own.databaseUrl });
    await client.connect();
    try {
      await client.query(`create schema "${own.schema!}"`);
    } finally {
      await client.end();
    }
    const url = new URL(own.databaseUrl!);
    url.searchParams.set('options', `-c search_path=${own.schema!}`);

    const stores = await createSqlStores({ databaseUrl: url.toString(), dataDir: own.dataDir });
    try {
      expect(await stores.keys.insert(testKey('key_own'))).toEqual({ type: 'inserted' });
    } finally {
      await stores.close();
    }
    const scoped = await createSqlStores(own);
    try {
      expect((await scoped.keys.list()).map((key) => key.id)).toEqual(['key_own']);
    } finally {
      await scoped.close();
    }
  });

  it('rejects when the server is unreachable', async () => {
    const options = await postgres.isolated();
    const url = new URL(options.databaseUrl!);
    url.hostname = '127.0.0.1';
    url.port = '1';
    await expect(createSqlStores({ ...options, databaseUrl: url.toString() })).rejects.toThrow();
  });

  it('refuses a schema name that would need quoting', async () => {
    const options = await postgres.isolated();
    await expect(createSqlStores({ ...options, schema: 'Robert"; drop table x' })).rejects.toThrow(
      /invalid database schema name/,
    );
  });
});

describe('migrations on sqlite', () => {
  const sqlite = databases.find((database) => database.dialect === 'sqlite')!;

  it('keeps gatehouse.db in the data directory in WAL mode', async () => {
    const options = await sqlite.isolated();
    await (await createSqlStores(options)).close();
    const database = new DatabaseSync(join(options.dataDir, sqliteFileName));
    try {
      expect(database.prepare('pragma journal_mode').get()).toEqual({ journal_mode: 'wal' });
    } finally {
      database.close();
    }
  });

  it('waits for another process holding the write lock instead of failing', async () => {
    const options = await sqlite.isolated();
    const stores = await createSqlStores(options);
    const holder = spawn(process.execPath, ['-e', holdWriteLock], {
      env: { ...process.env, DATABASE_FILE: join(options.dataDir, sqliteFileName) },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [line] = (await once(holder.stdout, 'data')) as [Buffer];
      expect(line.toString()).toContain('locked');
      expect(await stores.keys.insert(testKey('key_waited'))).toEqual({ type: 'inserted' });
      expect(await stores.keys.findById('key_waited')).toBeDefined();
    } finally {
      holder.kill();
      await stores.close();
    }
  });

  it('creates a data directory that does not exist yet', async () => {
    const options = await sqlite.isolated();
    const stores = await createSqlStores({ dataDir: join(options.dataDir, 'nested', 'data') });
    await stores.ping();
    await stores.close();
  });
});

describe('dialect selection', () => {
  it('uses Postgres for postgres:// and postgresql:// URLs and SQLite without a URL', () => {
    expect(dialectOf('postgres://db/app')).toBe('postgres');
    expect(dialectOf('postgresql://user:pw@db:5432/app')).toBe('postgres');
    expect(dialectOf(undefined)).toBe('sqlite');
    expect(dialectOf('')).toBe('sqlite');
  });

  it('rejects other URLs', () => {
    expect(() => dialectOf('mysql://db/app')).toThrow(/unsupported database_url/);
  });
});

/** A second process that takes SQLite's write lock, says so, and keeps it for half a second. */
const holdWriteLock = `
  const { DatabaseSync } = require('node:sqlite');
  const database = new DatabaseSync(process.env.DATABASE_FILE);
  database.exec('begin immediate');
  process.stdout.write('locked\\n');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  database.exec('commit');
  database.close();
`;

function testKey(id: string) {
  return {
    id,
    name: `name of ${id}`,
    hash: `hash of ${id}`,
    prefix: 'gh-test',
    tier: 'free',
    role: 'user',
    team: undefined,
    owner: undefined,
    agentId: undefined,
    models: [],
    limits: {},
    budget: undefined,
    metadata: {},
    createdAt: 1,
    updatedAt: 1,
    expiresAt: undefined,
    revokedAt: undefined,
  } as const;
}
