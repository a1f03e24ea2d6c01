import type { AuditHead, AuditRecord } from '../audit-event.js';
import type { AuditStore } from '../audit-store.js';
import type { AuditArchiveStore } from './archive-stores.js';
import {
  checkpointAction,
  checkpointEntry,
  checkpointKey,
  checkpointObjectOf,
  retentionAction,
  type CheckpointObject,
  type CheckpointTrigger,
} from './checkpoint-record.js';
import type { AuditObjectStore } from './object-store.js';

export interface CheckpointSettings {
  /** A checkpoint each time the log grows past a multiple of this many records; undefined: never by count. */
  readonly everyRecords: number | undefined;
  /** A checkpoint in each interval of this length in which records were appended; undefined: never by time. */
  readonly everyMs: number | undefined;
}

export interface CheckpointerDependencies {
  readonly store: AuditStore;
  readonly archive: Pick<AuditArchiveStore, 'query'>;
  /** Where checkpoints are kept outside the database; undefined: in the log only. */
  readonly objects: AuditObjectStore | undefined;
  readonly settings: CheckpointSettings;
  readonly now: () => number;
  /** Told of each checkpoint this replica wrote (for the log). */
  readonly onCheckpoint?: (record: CheckpointObject) => void;
}

export interface Checkpointer {
  /**
   * Writes a checkpoint when one is due and uploads those not yet uploaded. Replicas may tick at
   * once: each due checkpoint has an event id fixed by its interval (`checkpoint-r<N>-<k>` for the
   * k-th multiple of N records, `checkpoint-t<ms>-<slot>` for a time slot), and the log holds an
   * event id once (the store drops a repeat inside its serialised append), so exactly one replica
   * appends it — the one whose append reports it added — and that one uploads it.
   */
  tick(): Promise<void>;
}

/** Checkpoint records looked at for uploads left undone by a process that stopped before them. */
const catchUpDepth = 10;

/** Puts a checkpoint's object in the store (never over one that is there). */
export async function uploadCheckpoint(
  objects: AuditObjectStore,
  checkpoint: CheckpointObject,
): Promise<void> {
  const body = Buffer.from(`${JSON.stringify(checkpoint)}\n`);
  await objects.putNew(checkpointKey(checkpoint.seq), body, 'application/json');
}

export function createCheckpointer(dependencies: CheckpointerDependencies): Checkpointer {
  const { store, objects, settings, now } = dependencies;
  let lastRecordsIndex: number | undefined;
  let lastSlot: number | undefined;
  const pendingUploads = new Map<number, CheckpointObject>();
  let caughtUp = objects === undefined;

  async function catchUp(): Promise<void> {
    if (caughtUp) return;
    for (const action of [checkpointAction, retentionAction]) {
      const recent = await dependencies.archive.query({
        type: 'checkpoint',
        action,
        order: 'desc',
        limit: catchUpDepth,
      });
      for (const record of recent) pendingUploads.set(record.seq, checkpointObjectOf(record));
    }
    caughtUp = true;
  }

  interface Due {
    readonly trigger: CheckpointTrigger;
    readonly eventId: string;
    /** Marks the interval done (after the append, so a failed one is tried again). */
    readonly done: () => void;
  }

  function due(head: AuditHead, at: number): Due | undefined {
    const { everyRecords, everyMs } = settings;
    if (everyRecords !== undefined) {
      const index = Math.floor(head.seq / everyRecords);
      if (index >= 1 && index !== lastRecordsIndex) {
        const done = () => void (lastRecordsIndex = index);
        return { trigger: 'records', eventId: `checkpoint-r${everyRecords}-${index}`, done };
      }
    }
    if (everyMs !== undefined) {
      const slot = Math.floor(at / everyMs);
      if (slot !== lastSlot) {
        const done = () => void (lastSlot = slot);
        return { trigger: 'interval', eventId: `checkpoint-t${everyMs}-${slot}`, done };
      }
    }
    return undefined;
  }

  async function headRecord(head: AuditHead): Promise<AuditRecord | undefined> {
    const [record] = await store.read({ fromSeq: head.seq, toSeq: head.seq, limit: 1 });
    return record;
  }

  async function writeIfDue(): Promise<void> {
    const head = await store.head();
    if (head.seq === 0) return;
    const at = now();
    const checkpoint = due(head, at);
    if (checkpoint === undefined) return;
    // Nothing appended since the last checkpoint: an idle log gains no records.
    if (checkpoint.trigger === 'interval' && (await headRecord(head))?.type === 'checkpoint') {
      checkpoint.done();
      return;
    }
    const entry = checkpointEntry(head, checkpoint.trigger, checkpoint.eventId, at);
    const result = await store.append([entry]);
    checkpoint.done();
    // Skipped: another replica appended this interval's checkpoint first (and uploads it).
    if (result.appended !== 1) return;
    const written = checkpointObjectOf({ ...entry, ...result.head });
    dependencies.onCheckpoint?.(written);
    pendingUploads.set(written.seq, written);
  }

  return {
    async tick() {
      await writeIfDue();
      if (objects === undefined) return;
      await catchUp();
      // An upload that fails stays pending (the next tick retries it); `exists` is done already.
      for (const checkpoint of [...pendingUploads.values()]) {
        await uploadCheckpoint(objects, checkpoint);
        pendingUploads.delete(checkpoint.seq);
      }
    },
  };
}
