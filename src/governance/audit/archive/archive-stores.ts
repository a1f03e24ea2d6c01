import type { AuditEventType, AuditRecord } from '../audit-event.js';

/**
 * A filtered read of the log (`GET /admin/audit`, finding checkpoints). Bounds as in AuditRange
 * (sequence inclusive, time from inclusive and to exclusive); every filter is an exact match;
 * `order` is by sequence. The store indexes type, tenant, actor and trace id (migrations 0005 and
 * 0006); other filters narrow what those, or the sequence, find.
 */
export interface AuditQuery {
  readonly fromSeq?: number | undefined;
  readonly toSeq?: number | undefined;
  readonly fromTime?: number | undefined;
  readonly toTime?: number | undefined;
  readonly type?: AuditEventType | undefined;
  readonly tenantId?: string | undefined;
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly traceId?: string | undefined;
  readonly eventId?: string | undefined;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

/**
 * Where the retained chain starts: records up to `seq` were archived and deleted, and `hash` is
 * the last deleted record's hash, which the first retained record's `prev_hash` must equal.
 * `{ seq: 0, hash: 64 zeros }` while nothing was ever deleted.
 */
export interface RetentionAnchor {
  readonly seq: number;
  readonly hash: string;
}

/** What export, checkpoints and retention need from the database beyond AuditStore (stores/sql). */
export interface AuditArchiveStore {
  query(query: AuditQuery): Promise<readonly AuditRecord[]>;
  /** The highest sequence number appended before `time` (Unix ms); undefined when none is. */
  lastSeqBefore(time: number): Promise<number | undefined>;
  anchor(): Promise<RetentionAnchor>;
  /**
   * Deletes the records after the anchor up to `through` and moves the anchor to `through`
   * (whose hash is `hash`), a chunk at a time, each chunk and its anchor in one transaction, so the
   * anchor always names the last deleted record. Resolves with the number deleted.
   */
  deleteThrough(through: number, hash: string): Promise<number>;
  /**
   * Takes (or renews) the named lease for `holder` until `now + ttlMs`, if it is free, expired or
   * already this holder's: one replica at a time does the work the lease names.
   */
  acquireLease(name: string, holder: string, now: number, ttlMs: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}
