import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createCheckpointer,
  parseCheckpointObject,
  verifyAuditLog,
  verifyAuditTrail,
  type AuditEntry,
  type AuditRecord,
  type CheckpointSettings,
} from '../src/governance/audit/index.js';
import { entry } from '../src/governance/audit/test-entries.js';
import { openS3ObjectStore, type OpenedObjectStore } from '../src/stores/object/s3-settings.js';
import { createSqlStores, type SqlStores } from '../src/stores/sql/index.js';
import { testDatabases } from '../src/stores/sql/test-databases.js';
import { openRawDatabase, rewriteConsistently, truncateAfter } from './support/audit-tampering.js';
import { startTestS3Server, type TestS3Server } from './support/s3-server.js';

const databases = testDatabases(process.env);
let s3: TestS3Server;
const opened: OpenedObjectStore[] = [];

beforeAll(async () => {
  s3 = await startTestS3Server();
});

afterAll(async () => {
  for (const store of opened) store.close();
  await s3.stop();
  for (const database of databases) await database.cleanUp();
});

let prefixes = 0;
function objectStore(): { prefix: string; opened: OpenedObjectStore } {
  prefixes += 1;
  const prefix = `checkpoint-test-${prefixes}`;
  const settings = s3.settings(prefix);
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
  return { prefix, opened: store };
}

function entries(from: number, count: number): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `event-${from + index}`,
  }));
}

async function allRecords(stores: SqlStores): Promise<AuditRecord[]> {
  return [...(await stores.audit.read({ limit: 100_000 }))];
}

const byRecords: CheckpointSettings = { everyRecords: 50, everyMs: undefined };

for (const testDatabase of databases) {
  describe(`audit checkpoints on ${testDatabase.dialect}`, () => {
    it('writes one checkpoint per N records to the log and to the object store, however many replicas tick', async () => {
      const options = await testDatabase.isolated();
      const replicas = [await createSqlStores(options), await createSqlStores(options)];
      const { prefix, opened: objects } = objectStore();
      try {
        const checkpointers = replicas.map((stores) =>
          createCheckpointer({
            store: stores.audit,
            archive: stores.auditArchive,
            objects: objects.store,
            settings: byRecords,
            now: Date.now,
          }),
        );
        for (let batch = 0; batch < 12; batch += 1) {
          await replicas[batch % 2]!.audit.append(entries(batch * 10 + 1, 10));
          await Promise.all(checkpointers.map((checkpointer) => checkpointer.tick()));
        }
        const records = await allRecords(replicas[0]!);
        const checkpoints = records.filter((record) => record.type === 'checkpoint');
        // 120 decisions: the log passed 50 and 100 (the checkpoints themselves count as records).
        expect(checkpoints.map((record) => record.eventId)).toEqual(['checkpoint-r50-1', 'checkpoint-r50-2']);
        expect(checkpoints[0]!.details).toMatchObject({ trigger: 'records', head_seq: 50 });
        const before = records.find((record) => record.seq === 50)!;
        expect(checkpoints[0]!.details.head_hash).toBe(before.hash);

        const keys = await s3.keys(`${prefix}/checkpoints/`);
        expect(keys).toEqual(
          checkpoints.map((record) => `${prefix}/checkpoints/${String(record.seq).padStart(16, '0')}.json`),
        );
        for (const record of checkpoints) {
          const kept = parseCheckpointObject(
            await s3.text(`${prefix}/checkpoints/${String(record.seq).padStart(16, '0')}.json`),
          );
          expect(kept).toMatchObject({ seq: record.seq, hash: record.hash, event_id: record.eventId });
        }
        const verified = await verifyAuditTrail(
          { store: replicas[0]!.audit, archive: replicas[0]!.auditArchive, objects: objects.store },
          {},
        );
        expect(verified).toMatchObject({
          ok: true,
          checkpoints: { compared: 2, latest: checkpoints[1]!.seq },
        });
      } finally {
        for (const stores of replicas) await stores.close();
      }
    });

    it('writes a time checkpoint once per interval with records in it, none while the log is idle', async () => {
      const stores = await createSqlStores(await testDatabase.isolated());
      let now = 1_000_000_000_000;
      try {
        const checkpointer = createCheckpointer({
          store: stores.audit,
          archive: stores.auditArchive,
          objects: undefined,
          settings: { everyRecords: undefined, everyMs: 60_000 },
          now: () => now,
        });
        await checkpointer.tick();
        expect(await allRecords(stores)).toEqual([]);
        await stores.audit.append(entries(1, 5));
        await checkpointer.tick();
        await checkpointer.tick();
        now += 60_000;
        await checkpointer.tick();
        now += 60_000;
        await checkpointer.tick();
        await stores.audit.append(entries(6, 1));
        now += 60_000;
        await checkpointer.tick();
        const types = (await allRecords(stores)).map((record) => record.type);
        expect(types).toEqual([...Array<string>(5).fill('decision'), 'checkpoint', 'decision', 'checkpoint']);
      } finally {
        await stores.close();
      }
    });

    it('catches a table rewritten consistently from some record on, naming the checkpoint it breaks', async () => {
      const options = await testDatabase.isolated();
      const stores = await createSqlStores(options);
      const raw = openRawDatabase(options);
      const { opened: objects } = objectStore();
      try {
        const checkpointer = createCheckpointer({
          store: stores.audit,
          archive: stores.auditArchive,
          objects: objects.store,
          settings: byRecords,
          now: Date.now,
        });
        for (let batch = 0; batch < 16; batch += 1) {
          await stores.audit.append(entries(batch * 10 + 1, 10));
          await checkpointer.tick();
        }
        const records = await allRecords(stores);
        const checkpointSeqs = records
          .filter((record) => record.type === 'checkpoint')
          .map((record) => record.seq);
        expect(checkpointSeqs).toEqual([51, 102, 153]);
        const dependencies = { store: stores.audit, archive: stores.auditArchive, objects: objects.store };
        expect(await verifyAuditTrail(dependencies, {})).toMatchObject({ ok: true });

        // Record 70 turned from allow into deny, every hash after it recomputed, the head moved.
        await rewriteConsistently(
          raw,
          70,
          (record) => ({ ...record, decision: 'deny', reason: 'forged' }),
          records,
        );
        expect(await verifyAuditLog(stores.audit, {})).toMatchObject({ ok: true });
        const caught = await verifyAuditTrail(dependencies, {});
        expect(caught).toMatchObject({ ok: false, check: 'checkpoints', problem: { seq: 102 } });
        if (!caught.ok) {
          expect(caught.problem.message).toContain('rewritten at or before record 102');
          expect(caught.problem.message).toContain('after record 51');
        }
        // Without the object store the forgery goes unseen: that is what checkpoints are for.
        expect(await verifyAuditTrail({ ...dependencies, objects: undefined }, {})).toMatchObject({
          ok: true,
        });
      } finally {
        await raw.destroy();
        await stores.close();
      }
    });

    it('catches a log cut short past a checkpoint, head and all', async () => {
      const options = await testDatabase.isolated();
      const stores = await createSqlStores(options);
      const raw = openRawDatabase(options);
      const { opened: objects } = objectStore();
      try {
        const checkpointer = createCheckpointer({
          store: stores.audit,
          archive: stores.auditArchive,
          objects: objects.store,
          settings: byRecords,
          now: Date.now,
        });
        for (let batch = 0; batch < 6; batch += 1) {
          await stores.audit.append(entries(batch * 10 + 1, 10));
          await checkpointer.tick();
        }
        const records = await allRecords(stores);
        await truncateAfter(
          raw,
          records.find((record) => record.seq === 40)!,
        );
        expect(await verifyAuditLog(stores.audit, {})).toMatchObject({ ok: true });
        const caught = await verifyAuditTrail(
          { store: stores.audit, archive: stores.auditArchive, objects: objects.store },
          {},
        );
        expect(caught).toMatchObject({ ok: false, check: 'checkpoints', problem: { seq: 51 } });
        if (!caught.ok) expect(caught.problem.message).toContain('the log ends at record 40');
      } finally {
        await raw.destroy();
        await stores.close();
      }
    });
  });
}
