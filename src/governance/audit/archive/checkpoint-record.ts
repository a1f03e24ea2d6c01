import { auditEntryOf, type AuditEntry, type AuditHead, type AuditRecord } from '../audit-event.js';

/**
 * A checkpoint: the chain's head (sequence number and hash) written into the log as a record of
 * type `checkpoint` (chained like any other) and, when an object store is configured, outside the
 * database as one small JSON object, `checkpoints/<seq>.json`, where `<seq>` is the checkpoint
 * record's own number, zero-padded to 16 digits so that keys sort in sequence order. The object
 * holds the checkpoint record's own hash: since every hash covers the one before, a log rewritten
 * anywhere at or before that record (hashes recomputed, head moved) no longer matches it.
 */
export type CheckpointTrigger = 'records' | 'interval' | 'retention';

/** What a retention checkpoint adds: which records were archived and deleted, and where they went. */
export interface RetentionFacts {
  readonly prunedFrom: number;
  readonly prunedThrough: number;
  readonly prunedThroughHash: string;
  /** `s3://…/archive/<from>-<to>.ndjson.gz`, or null when no object store is configured. */
  readonly archive: string | null;
}

/** The action of periodic checkpoints and of retention checkpoints (a filter of `GET /admin/audit`). */
export const checkpointAction = 'audit.checkpoint';
export const retentionAction = 'audit.retention';

export function checkpointEntry(
  head: AuditHead,
  trigger: CheckpointTrigger,
  eventId: string,
  now: number,
  retention?: RetentionFacts,
): AuditEntry {
  return auditEntryOf(
    {
      type: 'checkpoint',
      action: trigger === 'retention' ? retentionAction : checkpointAction,
      reason:
        retention === undefined
          ? `checkpoint of the chain at record ${head.seq}`
          : `records ${retention.prunedFrom}–${retention.prunedThrough} archived and deleted (retention)`,
      details: {
        trigger,
        head_seq: head.seq,
        head_hash: head.hash,
        ...(retention === undefined
          ? {}
          : {
              pruned_from: retention.prunedFrom,
              pruned_through: retention.prunedThrough,
              pruned_through_hash: retention.prunedThroughHash,
              archive: retention.archive,
            }),
      },
    },
    eventId,
    now,
  );
}

/** The JSON object kept in the object store for a checkpoint record. */
export interface CheckpointObject {
  readonly seq: number;
  readonly hash: string;
  readonly recorded_at: number;
  readonly event_id: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export function checkpointObjectOf(
  record: Pick<AuditRecord, 'seq' | 'hash' | 'recordedAt' | 'eventId' | 'details'>,
): CheckpointObject {
  return {
    seq: record.seq,
    hash: record.hash,
    recorded_at: record.recordedAt,
    event_id: record.eventId,
    details: record.details,
  };
}

export function parseCheckpointObject(text: string): CheckpointObject | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<Record<keyof CheckpointObject, unknown>>;
  if (!Number.isSafeInteger(candidate.seq) || typeof candidate.hash !== 'string') return undefined;
  return value as CheckpointObject;
}

const seqDigits = 16;

function padded(seq: number): string {
  return String(seq).padStart(seqDigits, '0');
}

export const checkpointPrefix = 'checkpoints/';
export const archivePrefix = 'archive/';

export function checkpointKey(seq: number): string {
  return `${checkpointPrefix}${padded(seq)}.json`;
}

/** The record number a checkpoint key names; undefined for any other key. */
export function seqOfCheckpointKey(key: string): number | undefined {
  const match = /^checkpoints\/(\d{16})\.json$/.exec(key);
  return match === null ? undefined : Number(match[1]);
}

/** `archive/<first>-<last>.ndjson.gz`: one object per archived range, named by its records. */
export function archiveKey(from: number, through: number): string {
  return `${archivePrefix}${padded(from)}-${padded(through)}.ndjson.gz`;
}

/** A retention checkpoint's facts, read back from its details; undefined for any other record. */
export function retentionFactsOf(record: AuditRecord): RetentionFacts | undefined {
  const { details } = record;
  if (record.type !== 'checkpoint' || details.trigger !== 'retention') return undefined;
  const { pruned_from: from, pruned_through: through, pruned_through_hash: hash, archive } = details;
  if (typeof from !== 'number' || typeof through !== 'number' || typeof hash !== 'string') return undefined;
  return {
    prunedFrom: from,
    prunedThrough: through,
    prunedThroughHash: hash,
    archive: typeof archive === 'string' ? archive : null,
  };
}
