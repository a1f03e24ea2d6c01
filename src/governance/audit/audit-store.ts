import type { AuditEntry, AuditHead, AuditRecord } from './audit-event.js';

/**
 * A range of the log. Sequence bounds are inclusive; time bounds (`recordedAt`, Unix ms) are
 * `fromTime` inclusive and `toTime` exclusive. Since `recordedAt` never decreases along the chain,
 * a time range is also a contiguous run of sequence numbers. Records come in sequence order, at
 * most `limit` of them: page on with `fromSeq` = the last one's `seq + 1`.
 */
export interface AuditRange {
  readonly fromSeq?: number | undefined;
  readonly toSeq?: number | undefined;
  readonly fromTime?: number | undefined;
  readonly toTime?: number | undefined;
  readonly limit: number;
}

export interface AuditAppendResult {
  /** Records added to the chain now. */
  readonly appended: number;
  /** Entries whose event id the log holds already (a replayed batch): not added again. */
  readonly skipped: number;
  readonly head: AuditHead;
}

/** What the audit trail needs from a database (implemented in stores/sql). */
export interface AuditStore {
  /**
   * Appends the entries to the one chain, atomically: under a lock on the chain's head (so that
   * replicas appending at once queue up), entries whose event id is already in the log are
   * dropped, the rest sealed onto the head (`sealEntries`), inserted, and the head moved, in one
   * transaction. Idempotent: the same batch appended twice is in the log once.
   */
  append(entries: readonly AuditEntry[]): Promise<AuditAppendResult>;
  /** The chain's end as the database records it. */
  head(): Promise<AuditHead>;
  /** Records of a range, in sequence order (see AuditRange). */
  read(range: AuditRange): Promise<readonly AuditRecord[]>;
}
