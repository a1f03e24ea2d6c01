import { afterAll, describe, expect, it } from 'vitest';
import { verifyAuditLog, type AuditEntry } from '../../governance/audit/index.js';
import { entry } from '../../governance/audit/test-entries.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

function entries(from: number, count: number, overrides: Partial<AuditEntry> = {}): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `event-${from + index}`,
    ...overrides,
  }));
}

async function withStores(stores: SqlStores, work: (stores: SqlStores) => Promise<void>): Promise<void> {
  try {
    await work(stores);
  } finally {
    await stores.close();
  }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

for (const testDatabase of databases) {
  describe(`the SQL audit archive store on ${testDatabase.dialect}`, () => {
    it('filters by type, tenant, actor, action and trace id, in either order, with a limit', async () => {
      await withStores(
        await createSqlStores(await testDatabase.isolated()),
        async ({ audit, auditArchive }) => {
          await audit.append(entries(1, 30));
          await audit.append(entries(31, 10, { tenantId: 'globex', actor: 'payments-bot' }));
          await audit.append(
            entries(41, 5, { type: 'policy.changed', action: 'policy.put', tenantId: null }),
          );
          const query = { order: 'asc', limit: 100 } as const;
          expect(
            (await auditArchive.query({ ...query, tenantId: 'globex' })).map((record) => record.seq),
          ).toEqual(Array.from({ length: 10 }, (_, index) => 31 + index));
          expect(
            (await auditArchive.query({ ...query, actor: 'payments-bot', limit: 3 })).map((r) => r.seq),
          ).toEqual([31, 32, 33]);
          const newest = await auditArchive.query({ ...query, type: 'decision', order: 'desc', limit: 2 });
          expect(newest.map((record) => record.seq)).toEqual([40, 39]);
          expect(
            (await auditArchive.query({ ...query, action: 'policy.put', fromSeq: 43 })).map((r) => r.seq),
          ).toEqual([43, 44, 45]);
          const [traced] = await auditArchive.query({ ...query, traceId: 'trace-17' });
          expect(traced).toMatchObject({ seq: 17, eventId: 'event-17', resource: { invoice: 'inv-17' } });
          expect(await auditArchive.query({ ...query, tenantId: 'acme', actor: 'payments-bot' })).toEqual([]);
          expect((await auditArchive.query({ ...query, eventId: 'event-44' }))[0]?.seq).toBe(44);
        },
      );
    });

    it('finds the last record before a time', async () => {
      await withStores(
        await createSqlStores(await testDatabase.isolated()),
        async ({ audit, auditArchive }) => {
          expect(await auditArchive.lastSeqBefore(Date.now() + 1_000)).toBeUndefined();
          await audit.append(entries(1, 20));
          await pause();
          const between = Date.now();
          await pause();
          await audit.append(entries(21, 20));
          expect(await auditArchive.lastSeqBefore(between)).toBe(20);
          expect(await auditArchive.lastSeqBefore(Date.now() + 1_000)).toBe(40);
          expect(await auditArchive.lastSeqBefore(0)).toBeUndefined();
        },
      );
    });

    it('deletes through a record in chunks, moving the anchor, and the rest verifies from it', async () => {
      await withStores(
        await createSqlStores(await testDatabase.isolated()),
        async ({ audit, auditArchive }) => {
          await audit.append(entries(1, 12_000));
          expect(await auditArchive.anchor()).toEqual({ seq: 0, hash: '0'.repeat(64) });
          const [through] = await audit.read({ fromSeq: 11_000, toSeq: 11_000, limit: 1 });
          expect(await auditArchive.deleteThrough(11_000, through!.hash)).toBe(11_000);
          expect(await auditArchive.anchor()).toEqual({ seq: 11_000, hash: through!.hash });
          expect((await audit.read({ limit: 1 }))[0]?.seq).toBe(11_001);
          expect(await verifyAuditLog(audit, {})).toMatchObject({
            ok: false,
            problem: { kind: 'missing', seq: 1 },
          });
          expect(await verifyAuditLog(audit, { retained: await auditArchive.anchor() })).toMatchObject({
            ok: true,
            checked: 1_000,
            first: 11_001,
          });
          // Again: nothing left to delete.
          expect(await auditArchive.deleteThrough(11_000, through!.hash)).toBe(0);
        },
      );
    });

    it('refuses to delete a record that changed since it was archived', async () => {
      await withStores(
        await createSqlStores(await testDatabase.isolated()),
        async ({ audit, auditArchive }) => {
          await audit.append(entries(1, 10));
          await expect(auditArchive.deleteThrough(10, 'f'.repeat(64))).rejects.toThrow(
            'changed after it was archived',
          );
          await expect(auditArchive.deleteThrough(11, 'f'.repeat(64))).rejects.toThrow('missing');
          expect((await audit.read({ limit: 100 })).length).toBe(10);
          expect((await auditArchive.anchor()).seq).toBe(0);
        },
      );
    });

    it('gives a lease to one holder at a time until it expires or is released', async () => {
      await withStores(await createSqlStores(await testDatabase.isolated()), async ({ auditArchive }) => {
        const now = 1_000_000;
        expect(await auditArchive.acquireLease('audit-retention', 'replica-a', now, 60_000)).toBe(true);
        expect(await auditArchive.acquireLease('audit-retention', 'replica-b', now + 1, 60_000)).toBe(false);
        expect(await auditArchive.acquireLease('audit-retention', 'replica-a', now + 2, 60_000)).toBe(true);
        expect(await auditArchive.acquireLease('other-work', 'replica-b', now, 60_000)).toBe(true);
        expect(await auditArchive.acquireLease('audit-retention', 'replica-b', now + 60_002, 60_000)).toBe(
          true,
        );
        await auditArchive.releaseLease('audit-retention', 'replica-a');
        expect(await auditArchive.acquireLease('audit-retention', 'replica-a', now + 60_003, 60_000)).toBe(
          false,
        );
        await auditArchive.releaseLease('audit-retention', 'replica-b');
        expect(await auditArchive.acquireLease('audit-retention', 'replica-a', now + 60_004, 60_000)).toBe(
          true,
        );
      });
    });
  });
}
