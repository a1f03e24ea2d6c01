import { describe, expect, it } from 'vitest';
import { emptyHead, type AuditHead, type AuditRecord } from '../audit-event.js';
import { sealEntries } from '../audit-hash.js';
import type { AuditStore } from '../audit-store.js';
import { entry } from '../test-entries.js';
import type { AuditQuery } from './archive-stores.js';
import { createCheckpointer } from './checkpointer.js';

/** A log in memory with the store's append rules (one chain, an event id once), able to fail. */
function memoryLog() {
  const records: AuditRecord[] = [];
  let head: AuditHead = emptyHead;
  let failures = 0;
  const store: AuditStore = {
    append(entries) {
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('the database is away'));
      }
      const fresh = entries.filter(
        (candidate) => !records.some((record) => record.eventId === candidate.eventId),
      );
      const sealed = sealEntries(head, fresh, 1_000);
      records.push(...sealed.records);
      head = sealed.head;
      return Promise.resolve({ appended: fresh.length, skipped: entries.length - fresh.length, head });
    },
    head: () => Promise.resolve(head),
    read: (range) =>
      Promise.resolve(
        records.filter(
          (record) => record.seq >= (range.fromSeq ?? 1) && record.seq <= (range.toSeq ?? Infinity),
        ),
      ),
  };
  const archive = { query: (_query: AuditQuery) => Promise.resolve([]) };
  return { store, archive, records, failNext: () => (failures += 1) };
}

describe('the checkpointer', () => {
  it('tries a due checkpoint again after an append that failed', async () => {
    const log = memoryLog();
    const checkpointer = createCheckpointer({
      store: log.store,
      archive: log.archive,
      objects: undefined,
      settings: { everyRecords: 10, everyMs: undefined },
      now: () => 1_000,
    });
    await log.store.append(
      Array.from({ length: 12 }, (_, index) => ({ ...entry(index + 1), eventId: `e${index}` })),
    );
    log.failNext();
    await expect(checkpointer.tick()).rejects.toThrow('the database is away');
    await checkpointer.tick();
    await checkpointer.tick();
    expect(
      log.records.filter((record) => record.type === 'checkpoint').map((record) => record.eventId),
    ).toEqual(['checkpoint-r10-1']);
  });
});
