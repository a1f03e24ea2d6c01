import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pruneAuditLog,
  recordFromExportLine,
  verifyAuditTrail,
  type AuditEntry,
  type AuditObjectStore,
  type RetentionSettings,
} from '../src/governance/audit/index.js';
import { entry } from '../src/governance/audit/test-entries.js';
import { openS3ObjectStore, type OpenedObjectStore } from '../src/stores/object/s3-settings.js';
import { createSqlStores, type SqlStores } from '../src/stores/sql/index.js';
import { testDatabases } from '../src/stores/sql/test-databases.js';
import { openRawDatabase } from './support/audit-tampering.js';
import { startTestS3Server, type TestS3Server } from './support/s3-server.js';

const databases = testDatabases(process.env);
let s3: TestS3Server;
const opened: OpenedObjectStore[] = [];
const dayMs = 86_400_000;

beforeAll(async () => {
  s3 = await startTestS3Server();
});

afterAll(async () => {
  for (const store of opened) store.close();
  await s3.stop();
  for (const database of databases) await database.cleanUp();
});

let prefixes = 0;
function objectStoreOn(server: TestS3Server): { prefix: string; store: AuditObjectStore } {
  prefixes += 1;
  const prefix = `retention-test-${prefixes}`;
  const settings = server.settings(prefix);
  const store = openS3ObjectStore({
    url: settings.url,
    endpoint: settings.endpoint,
    region: settings.region,
    forcePathStyle: true,
    accessKeyId: settings.access_key_id,
    secretAccessKey: settings.secret_access_key,
    conditionalWrites: true,
  });
  opened.push(store);
  return { prefix, store: store.store };
}

function entries(from: number, count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `event-${from + index}`,
  }));
}

const settings: RetentionSettings = { retentionDays: 30, recordsPerObject: 120 };
const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

/** 300 records appended "long ago", then 50 recent ones; `now` puts the retention cutoff between them. */
async function oldAndNew(stores: SqlStores): Promise<() => number> {
  for (let start = 1; start <= 300; start += 100) await stores.audit.append(entries(start, 100));
  await pause();
  const cutoff = Date.now();
  await pause();
  await stores.audit.append(entries(301, 50));
  return () => cutoff + settings.retentionDays * dayMs;
}

async function count(stores: SqlStores): Promise<number> {
  return (await stores.audit.read({ limit: 100_000 })).length;
}

for (const testDatabase of databases) {
  describe(`audit retention on ${testDatabase.dialect}`, () => {
    it('archives old records, reads each archive back, deletes them, and the rest still verifies', async () => {
      const stores = await createSqlStores(await testDatabase.isolated());
      const { prefix, store: objects } = objectStoreOn(s3);
      try {
        const now = await oldAndNew(stores);
        const outcome = await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects,
          settings,
          now,
          holder: 'a',
        });
        expect(outcome).toMatchObject({ type: 'pruned', anchor: { seq: 300 } });
        if (outcome.type !== 'pruned') return;
        expect(outcome.ranges.map(({ from, through }) => [from, through])).toEqual([
          [1, 120],
          [121, 240],
          [241, 300],
        ]);
        const archives = await s3.keys(`${prefix}/archive/`);
        expect(archives).toEqual([
          `${prefix}/archive/0000000000000001-0000000000000120.ndjson.gz`,
          `${prefix}/archive/0000000000000121-0000000000000240.ndjson.gz`,
          `${prefix}/archive/0000000000000241-0000000000000300.ndjson.gz`,
        ]);
        const lines = (await s3.gunzipped(archives[0]!)).trimEnd().split('\n');
        expect(lines).toHaveLength(120);
        expect(recordFromExportLine(lines[0]!)).toMatchObject({
          seq: 1,
          eventId: 'event-1',
          prevHash: '0'.repeat(64),
        });
        expect(recordFromExportLine(lines[119]!)?.seq).toBe(120);

        // The 50 recent decisions and the three retention checkpoints remain.
        const remaining = await stores.audit.read({ limit: 1_000 });
        expect(remaining[0]?.seq).toBe(301);
        expect(remaining.filter((record) => record.type === 'checkpoint')).toHaveLength(3);
        expect(remaining.at(-1)?.details).toMatchObject({
          trigger: 'retention',
          pruned_from: 241,
          pruned_through: 300,
          archive: `s3://${s3.bucket}/${prefix}/archive/0000000000000241-0000000000000300.ndjson.gz`,
        });
        expect(await s3.keys(`${prefix}/checkpoints/`)).toHaveLength(3);
        const verified = await verifyAuditTrail(
          { store: stores.audit, archive: stores.auditArchive, objects },
          {},
        );
        expect(verified).toMatchObject({
          ok: true,
          anchor: { seq: 300 },
          chain: { first: 301, checked: 53 },
        });

        // Again: nothing more is old enough.
        const again = await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects,
          settings,
          now,
          holder: 'a',
        });
        expect(again).toMatchObject({ type: 'pruned', ranges: [] });
      } finally {
        await stores.close();
      }
    });

    it('still detects tampering in what remains after retention', async () => {
      const options = await testDatabase.isolated();
      const stores = await createSqlStores(options);
      const raw = openRawDatabase(options);
      const { store: objects } = objectStoreOn(s3);
      try {
        const now = await oldAndNew(stores);
        await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects,
          settings,
          now,
          holder: 'a',
        });
        const dependencies = { store: stores.audit, archive: stores.auditArchive, objects };
        await raw.updateTable('audit_records').set({ decision: 'deny' }).where('seq', '=', 320).execute();
        expect(await verifyAuditTrail(dependencies, {})).toMatchObject({
          ok: false,
          check: 'chain',
          problem: { seq: 320, kind: 'edited' },
        });
        await raw.updateTable('audit_records').set({ decision: 'allow' }).where('seq', '=', 320).execute();
        expect(await verifyAuditTrail(dependencies, {})).toMatchObject({ ok: true });

        // The oldest retained record deleted, the anchor left alone.
        await raw.deleteFrom('audit_records').where('seq', '=', 301).execute();
        expect(await verifyAuditTrail(dependencies, {})).toMatchObject({
          ok: false,
          check: 'chain',
          problem: { seq: 301, kind: 'missing' },
        });
        // …and the anchor moved over it to hide that: retention never accounted for record 301.
        const [next] = await stores.audit.read({ fromSeq: 301, toSeq: 301, limit: 1 });
        const [after] = await stores.audit.read({ fromSeq: 302, toSeq: 302, limit: 1 });
        expect(next).toBeUndefined();
        await raw
          .updateTable('audit_anchor')
          .set({ seq: 301, hash: after!.prevHash })
          .where('id', '=', 1)
          .execute();
        expect(await verifyAuditTrail(dependencies, {})).toMatchObject({
          ok: false,
          check: 'retention',
          problem: { seq: 301 },
        });
      } finally {
        await raw.destroy();
        await stores.close();
      }
    });

    it('deletes nothing when the object store is unreachable', async () => {
      const stores = await createSqlStores(await testDatabase.isolated());
      const down = await startTestS3Server();
      const { store: objects } = objectStoreOn(down);
      try {
        const now = await oldAndNew(stores);
        await down.stop();
        const outcome = await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects,
          settings,
          now,
          holder: 'a',
        }).catch((error: unknown) => ({ type: 'thrown', error }));
        expect(outcome.type === 'failed' || outcome.type === 'thrown').toBe(true);
        expect(await count(stores)).toBe(350);
        expect(await stores.auditArchive.anchor()).toEqual({ seq: 0, hash: '0'.repeat(64) });
        expect(await stores.auditArchive.query({ type: 'checkpoint', order: 'asc', limit: 10 })).toEqual([]);
        // The lease was given back: the next run (the store reachable again) is not blocked.
        expect(await stores.auditArchive.acquireLease('audit-retention', 'b', Date.now(), 1_000)).toBe(true);
      } finally {
        await stores.close();
      }
    });

    it('refuses to archive (and delete) records whose chain is broken', async () => {
      const options = await testDatabase.isolated();
      const stores = await createSqlStores(options);
      const raw = openRawDatabase(options);
      const { prefix, store: objects } = objectStoreOn(s3);
      try {
        const now = await oldAndNew(stores);
        await raw.updateTable('audit_records').set({ reason: 'edited' }).where('seq', '=', 150).execute();
        const outcome = await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects,
          settings,
          now,
          holder: 'a',
        });
        expect(outcome).toMatchObject({
          type: 'failed',
          ranges: [{ from: 1, through: 120 }],
          anchor: { seq: 120 },
        });
        if (outcome.type === 'failed') expect(outcome.reason).toContain('record 150 was changed');
        expect(await count(stores)).toBe(350 - 120 + 1);
        // The refused object stays as written (never overwritten), for whoever investigates.
        expect(await s3.keys(`${prefix}/archive/`)).toHaveLength(2);
      } finally {
        await raw.destroy();
        await stores.close();
      }
    });

    it('deletes without an archive when no object store is configured, and one process prunes at a time', async () => {
      const stores = await createSqlStores(await testDatabase.isolated());
      try {
        const now = await oldAndNew(stores);
        expect(await stores.auditArchive.acquireLease('audit-retention', 'other', now(), 60_000)).toBe(true);
        const busy = await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects: undefined,
          settings,
          now,
          holder: 'a',
        });
        expect(busy).toEqual({ type: 'busy' });
        await stores.auditArchive.releaseLease('audit-retention', 'other');
        const outcome = await pruneAuditLog({
          store: stores.audit,
          archive: stores.auditArchive,
          objects: undefined,
          settings,
          now,
          holder: 'a',
        });
        expect(outcome).toMatchObject({ type: 'pruned', anchor: { seq: 300 } });
        const [checkpoint] = await stores.auditArchive.query({ type: 'checkpoint', order: 'desc', limit: 1 });
        expect(checkpoint?.details).toMatchObject({
          trigger: 'retention',
          pruned_through: 300,
          archive: null,
        });
        expect(
          await verifyAuditTrail(
            { store: stores.audit, archive: stores.auditArchive, objects: undefined },
            {},
          ),
        ).toMatchObject({
          ok: true,
        });
      } finally {
        await stores.close();
      }
    });
  });
}
