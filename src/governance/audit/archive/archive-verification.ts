import type { AuditHead } from '../audit-event.js';
import type { AuditStore } from '../audit-store.js';
import type { AuditArchiveStore, RetentionAnchor } from './archive-stores.js';
import {
  checkpointPrefix,
  parseCheckpointObject,
  retentionAction,
  retentionFactsOf,
  seqOfCheckpointKey,
} from './checkpoint-record.js';
import { objectAddress, readSmallObject, type AuditObjectStore } from './object-store.js';

/** A problem found beyond the chain itself: the first bad sequence number and what is wrong. */
export interface ArchiveProblem {
  readonly seq: number;
  readonly message: string;
}

export type CheckpointVerification =
  | {
      readonly ok: true;
      /** Checkpoints compared with the log. */
      readonly compared: number;
      /** Checkpoints of records archived and deleted (not compared). */
      readonly archived: number;
      /** The last checkpoint compared (the log is proven up to it); undefined when none was. */
      readonly latest: number | undefined;
    }
  | { readonly ok: false; readonly problem: ArchiveProblem; readonly compared: number };

/**
 * Compares the log with the checkpoints kept in the object store: each checkpoint's record must be
 * in the log with the hash the object holds. A checkpoint of a record the log no longer has
 * (archived and deleted, up to the anchor) is skipped; one past the head means the log was cut
 * short. Since each hash covers every record before it, a matching checkpoint proves the log up to
 * it; the first mismatch names the checkpoint's record and the last one that matched, between which
 * the rewrite began.
 */
export async function verifyCheckpoints(
  store: Pick<AuditStore, 'read'>,
  objects: AuditObjectStore,
  anchor: RetentionAnchor,
  head: AuditHead,
): Promise<CheckpointVerification> {
  let compared = 0;
  let archived = 0;
  let latest: number | undefined;
  const fail = (seq: number, message: string): CheckpointVerification => ({
    ok: false,
    problem: { seq, message },
    compared,
  });
  for await (const key of objects.list(checkpointPrefix)) {
    const seq = seqOfCheckpointKey(key);
    if (seq === undefined) continue;
    if (seq <= anchor.seq) {
      archived += 1;
      continue;
    }
    const address = objectAddress(objects, key);
    const text = await readSmallObject(objects, key);
    const checkpoint = text === undefined ? undefined : parseCheckpointObject(text);
    if (checkpoint?.seq !== seq) return fail(seq, `${address} is not a checkpoint of record ${seq}`);
    const since = latest === undefined ? '' : `, after record ${latest} (the last checkpoint that matches)`;
    if (seq > head.seq) {
      return fail(
        seq,
        `the object store holds a checkpoint of record ${seq} (${address}), but the log ends at record ${head.seq}: records were removed from its end${since}`,
      );
    }
    const [record] = await store.read({ fromSeq: seq, toSeq: seq, limit: 1 });
    if (record === undefined) return fail(seq, `record ${seq} is missing; ${address} is its checkpoint`);
    if (record.hash !== checkpoint.hash) {
      return fail(
        seq,
        `record ${seq} does not match its checkpoint ${address} (log ${record.hash.slice(0, 12)}…, checkpoint ${checkpoint.hash.slice(0, 12)}…): the log was rewritten at or before record ${seq}${since}`,
      );
    }
    compared += 1;
    latest = seq;
  }
  return { ok: true, compared, archived, latest };
}

/**
 * The anchor against the log's own account of retention: records may have been deleted only as
 * far as the latest retention checkpoint says they were archived (less while a deletion is under
 * way, which the next run finishes), and the anchor's hash must be the one that checkpoint names.
 */
export async function verifyRetention(
  archive: Pick<AuditArchiveStore, 'query'>,
  anchor: RetentionAnchor,
): Promise<ArchiveProblem | undefined> {
  if (anchor.seq === 0) return undefined;
  const [latest] = await archive.query({
    type: 'checkpoint',
    action: retentionAction,
    order: 'desc',
    limit: 1,
  });
  const facts = latest === undefined ? undefined : retentionFactsOf(latest);
  if (latest === undefined || facts === undefined) {
    return {
      seq: anchor.seq,
      message: `records 1–${anchor.seq} were deleted, but the log holds no retention checkpoint that accounts for them`,
    };
  }
  if (anchor.seq > facts.prunedThrough) {
    return {
      seq: facts.prunedThrough + 1,
      message: `records ${facts.prunedThrough + 1}–${anchor.seq} were deleted, but the latest retention checkpoint (record ${latest.seq}) archived only through record ${facts.prunedThrough}`,
    };
  }
  if (anchor.seq === facts.prunedThrough && anchor.hash !== facts.prunedThroughHash) {
    return {
      seq: anchor.seq,
      message: `the retention anchor's hash of record ${anchor.seq} differs from the one its retention checkpoint (record ${latest.seq}) names`,
    };
  }
  return undefined;
}
