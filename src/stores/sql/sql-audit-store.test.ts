import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditLog, type AuditEntry } from '../../governance/audit/index.js';
import { entry } from '../../governance/audit/test-entries.js';
import type { StoredKey } from '../../keys/types.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
/** The stores as the command line runs them (the test setup compiles dist/ first). */
const compiledStores = fileURLToPath(new URL('../../../dist/stores/sql/index.js', import.meta.url));
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

function entries(from: number, count: number, prefix = 'event'): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `${prefix}-${from + index}`,
  }));
}

/** A key row: what the event loop writes meanwhile. */
function keyRow(index: number): StoredKey {
  return {
    ...{ id: `key_${index}`, name: `key ${index}`, hash: `hash ${index}`, prefix: 'gh-AbCd' },
    ...{ tier: 'free', role: 'user', team: undefined, owner: undefined, agentId: undefined },
    ...{ models: [], limits: {}, budget: undefined, metadata: {} },
    ...{ createdAt: 1_000, updatedAt: 1_000, expiresAt: undefined, revokedAt: undefined },
  };
}

async function withStores<T>(stores: SqlStores, work: (stores: SqlStores) => Promise<T>): Promise<T> {
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

const modes = databases.flatMap((testDatabase) =>
  testDatabase.dialect === 'sqlite'
    ? [
        { testDatabase, writeThread: false, label: 'sqlite, on the event loop' },
        { testDatabase, writeThread: true, label: 'sqlite, on the write thread' },
      ]
    : [{ testDatabase, writeThread: false, label: testDatabase.dialect }],
);

for (const { testDatabase, writeThread, label } of modes) {
  const open = async () => createSqlStores({ ...(await testDatabase.isolated()), writeThread });
  describe(`the SQL audit store on ${label}`, () => {
    it('appends one chain, reads it back by sequence and by time, and verifies it', async () => {
      const stores = await open();
      await withStores(stores, async ({ audit }) => {
        expect(await audit.head()).toEqual({ seq: 0, hash: '0'.repeat(64), recordedAt: 0 });
        const first = await audit.append(entries(1, 150));
        expect(first).toMatchObject({ appended: 150, skipped: 0, head: { seq: 150 } });
        await audit.append(entries(151, 10));
        const head = await audit.head();
        expect(head.seq).toBe(160);

        const all = await audit.read({ limit: 1_000 });
        expect(all.map((record) => record.seq)).toEqual(Array.from({ length: 160 }, (_, index) => index + 1));
        const original = entries(7, 1)[0]!;
        expect(all[6]).toMatchObject({
          eventId: 'event-7',
          type: 'decision',
          timestamp: original.timestamp,
          resource: { invoice: 'inv-7' },
          confidenceScore: 0.93,
          latencyMs: 0.42,
          details: { subject: 'agent', risk_score: 0.05 },
          downgradedScope: null,
        });
        expect(all.at(-1)?.hash).toBe(head.hash);
        const page = await audit.read({ fromSeq: 41, toSeq: 60, limit: 5 });
        expect(page.map((record) => record.seq)).toEqual([41, 42, 43, 44, 45]);

        const recordedAt = all[0]!.recordedAt;
        expect(await audit.read({ fromTime: recordedAt + 1e9, limit: 10 })).toEqual([]);
        expect(
          (await audit.read({ fromTime: recordedAt, toTime: recordedAt + 1e9, limit: 1_000 })).length,
        ).toBe(160);
        expect(await verifyAuditLog(audit, {}, 37)).toEqual({
          ok: true,
          checked: 160,
          first: 1,
          last: { seq: 160, hash: head.hash },
          toHead: true,
        });
        expect(await verifyAuditLog(audit, { fromSeq: 100, toSeq: 120 })).toMatchObject({
          ok: true,
          checked: 21,
          first: 100,
        });
      });
    });

    it('appends a batch given twice once (a replay after a lost acknowledgement), repeats within it too', async () => {
      const stores = await open();
      await withStores(stores, async ({ audit }) => {
        const batch = entries(1, 20);
        await audit.append(batch);
        const again = await audit.append([...batch.slice(10), ...entries(21, 5), entries(21, 1)[0]!]);
        expect(again).toMatchObject({ appended: 5, skipped: 11, head: { seq: 25 } });
        const all = await audit.read({ limit: 100 });
        expect(new Set(all.map((record) => record.eventId)).size).toBe(25);
        expect((await verifyAuditLog(audit, {})).ok).toBe(true);
      });
    });
  });
}

describe('the SQL audit store on sqlite, with the write thread', () => {
  const sqlite = databases.find((database) => database.dialect === 'sqlite')!;

  it('keeps one chain while the event loop writes other tables and the command line appends too', async () => {
    const options = await sqlite.isolated();
    const gateway = await createSqlStores({ ...options, writeThread: true });
    const commandLine = await createSqlStores(options);
    try {
      await Promise.all([
        (async () => {
          for (let round = 0; round < 20; round += 1) {
            await gateway.audit.append(entries(round * 50, 50, 'gateway'));
          }
        })(),
        (async () => {
          for (let round = 0; round < 20; round += 1) {
            await gateway.keys.insert(keyRow(round));
          }
        })(),
      ]);
      await commandLine.audit.append(entries(0, 5, 'cli'));
      await gateway.audit.append(entries(1_000, 5, 'gateway'));
      expect((await gateway.audit.head()).seq).toBe(1_010);
      expect(await verifyAuditLog(commandLine.audit, {}, 300)).toMatchObject({ ok: true, checked: 1_010 });
      expect(await gateway.keys.list()).toHaveLength(20);
    } finally {
      await gateway.close();
      await commandLine.close();
    }
  });

  it('keeps a process alive until its last append is answered, and no longer', async () => {
    const options = await sqlite.isolated();
    // A process whose only work left is an append (a final flush on shutdown): with the thread
    // idle-unreferenced, it must still wait for the answer, then exit on its own.
    const script = `
      const { createSqlStores } = await import(${JSON.stringify(compiledStores)});
      const stores = await createSqlStores({ dataDir: ${JSON.stringify(options.dataDir)}, writeThread: true });
      const result = await stores.audit.append(${JSON.stringify(entries(1, 3))});
      console.log(JSON.stringify(result));
    `;
    const scriptFile = join(options.dataDir, 'last-append.mjs');
    writeFileSync(scriptFile, script);
    const child = spawnSync(process.execPath, [scriptFile], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout)).toMatchObject({ appended: 3, head: { seq: 3 } });
  });

  it("reports a failed append with the store's reason, and appends again once it is mended", async () => {
    const options = await sqlite.isolated();
    const stores = await createSqlStores({ ...options, writeThread: true });
    const connection = new DatabaseSync(join(options.dataDir, 'gatehouse.db'));
    try {
      await stores.audit.append(entries(1, 3));
      const head = connection.prepare('select * from audit_head').get() as Record<string, SQLInputValue>;
      connection.exec('delete from audit_head');
      await expect(stores.audit.append(entries(4, 3))).rejects.toThrow('the audit log has no head row');
      connection
        .prepare('insert into audit_head (id, seq, hash, recorded_at) values (?, ?, ?, ?)')
        .run(head['id']!, head['seq']!, head['hash']!, head['recorded_at']!);
      expect(await stores.audit.append(entries(4, 3))).toMatchObject({ appended: 3, head: { seq: 6 } });
      expect((await verifyAuditLog(stores.audit, {})).ok).toBe(true);
    } finally {
      connection.close();
      await stores.close();
    }
  });
});

describe('the SQL audit store on postgres, several replicas at once', () => {
  const postgres = databases.find((database) => database.dialect === 'postgres')!;

  it('forms one verifiable chain from concurrent appends', async () => {
    const options = await postgres.isolated();
    const replicas = await Promise.all([1, 2, 3].map(() => createSqlStores(options)));
    try {
      await Promise.all(
        replicas.map(async (replica, index) => {
          for (let round = 0; round < 10; round += 1) {
            await replica.audit.append(entries(round * 20, 20, `replica-${index}`));
          }
        }),
      );
      const { audit } = replicas[0]!;
      expect((await audit.head()).seq).toBe(600);
      expect(await verifyAuditLog(audit, {}, 250)).toMatchObject({ ok: true, checked: 600 });
      const records = await audit.read({ limit: 1_000 });
      const times = records.map((record) => record.recordedAt);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
