import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditLog, type AuditEntry } from '../../governance/audit/index.js';
import { entry } from '../../governance/audit/test-entries.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

function entries(from: number, count: number, prefix = 'event'): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `${prefix}-${from + index}`,
  }));
}

async function withStores<T>(stores: SqlStores, work: (stores: SqlStores) => Promise<T>): Promise<T> {
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}

for (const testDatabase of databases) {
  describe(`the SQL audit store on ${testDatabase.dialect}`, () => {
    it('appends one chain, reads it back by sequence and by time, and verifies it', async () => {
      const stores = await createSqlStores(await testDatabase.isolated());
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
      const stores = await createSqlStores(await testDatabase.isolated());
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
