import { hash } from 'node:crypto';
import { canonicalJson, sortedCopy, unsortable } from '../canonical-json.js';
import type { AuditEntry, AuditHead, AuditRecord } from './audit-event.js';

/**
 * The chain's hashing, precisely (docs/governance.md, "Audit", says the same for people who check
 * the log with their own script): a record's hash is the lowercase hex SHA-256 of the UTF-8 bytes
 * of the RFC 8785 canonical JSON of its hashed body — every field of the record under its
 * snake_case name, absent values as null, `resource` and `details` as JSON objects, `prev_hash`
 * included and `hash` itself left out. `prev_hash` of record 1 is 64 zeros; of record n, the hash
 * of record n − 1.
 */
export interface HashedBody {
  readonly seq: number;
  readonly event_id: string;
  readonly type: string;
  readonly recorded_at: number;
  readonly timestamp: string;
  readonly tenant_id: string | null;
  readonly trace_id: string | null;
  readonly actor: string | null;
  readonly action: string | null;
  readonly resource: Readonly<Record<string, string>> | null;
  readonly confidence_score: number | null;
  readonly decision: string | null;
  readonly reason: string | null;
  readonly downgraded_scope: string | null;
  readonly latency_ms: number | null;
  readonly input_hash: string | null;
  readonly output_hash: string | null;
  readonly policy_digest: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  readonly prev_hash: string;
}

export function hashedBody(record: Omit<AuditRecord, 'hash'>): HashedBody {
  return {
    seq: record.seq,
    event_id: record.eventId,
    type: record.type,
    recorded_at: record.recordedAt,
    timestamp: record.timestamp,
    tenant_id: record.tenantId,
    trace_id: record.traceId,
    actor: record.actor,
    action: record.action,
    resource: record.resource,
    confidence_score: record.confidenceScore,
    decision: record.decision,
    reason: record.reason,
    downgraded_scope: record.downgradedScope,
    latency_ms: record.latencyMs,
    input_hash: record.inputHash,
    output_hash: record.outputHash,
    policy_digest: record.policyDigest,
    details: record.details,
    prev_hash: record.prevHash,
  };
}

/** A record before its hash is known. */
export type UnsealedRecord = Omit<AuditRecord, 'hash'>;

/**
 * The canonical JSON of a record's hashed body: the same text as `canonicalJson(hashedBody(record))`
 * (a property test holds them equal), written by one `JSON.stringify` of an object literal whose
 * members are in RFC 8785 order (UTF-16 code units; all ASCII here), with sorted copies of
 * `resource` and `details`: a third of the cost of serialising member by member, on every record
 * appended and verified. Details whose member names cannot be ordered that way take the
 * member-by-member way.
 */
export function canonicalRecordText(record: UnsealedRecord): string {
  const resource = sortedCopy(record.resource);
  const details = sortedCopy(record.details);
  if (resource === unsortable || details === unsortable) return canonicalJson(hashedBody(record));
  return JSON.stringify({
    action: record.action,
    actor: record.actor,
    confidence_score: record.confidenceScore,
    decision: record.decision,
    details,
    downgraded_scope: record.downgradedScope,
    event_id: record.eventId,
    input_hash: record.inputHash,
    latency_ms: record.latencyMs,
    output_hash: record.outputHash,
    policy_digest: record.policyDigest,
    prev_hash: record.prevHash,
    reason: record.reason,
    recorded_at: record.recordedAt,
    resource,
    seq: record.seq,
    tenant_id: record.tenantId,
    timestamp: record.timestamp,
    trace_id: record.traceId,
    type: record.type,
  });
}

export function hashOf(record: UnsealedRecord): string {
  return hash('sha256', canonicalRecordText(record), 'hex');
}

/** Recomputes a stored record's hash from its contents. */
export function recomputedHash(record: AuditRecord): string {
  return hashOf(record);
}

/**
 * Details as they will read back from the database: through JSON and back, so that what is hashed
 * is exactly what a verifier parses from the stored text (a Date becomes its string, an undefined
 * member disappears, NaN becomes null).
 */
function storedForm(details: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(JSON.stringify(details));
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : {};
}

/**
 * Chains entries onto `head`: numbers them from `head.seq + 1`, stamps them `recordedAt` (never
 * earlier than the head's, so that time and sequence order agree even across replicas whose clocks
 * differ) and hashes each onto the one before. Pure: the store calls it inside the transaction that
 * holds the head.
 */
export function sealEntries(
  head: AuditHead,
  entries: readonly AuditEntry[],
  now: number,
): { readonly records: readonly AuditRecord[]; readonly head: AuditHead } {
  const recordedAt = Math.max(Math.trunc(now), head.recordedAt);
  const records: AuditRecord[] = [];
  let previous = head;
  for (const entry of entries) {
    // Built field by field, once: spreading twenty-odd fields twice per record costs as much as
    // hashing it.
    const record = {
      eventId: entry.eventId,
      type: entry.type,
      timestamp: entry.timestamp,
      tenantId: entry.tenantId,
      traceId: entry.traceId,
      actor: entry.actor,
      action: entry.action,
      resource: entry.resource,
      confidenceScore: entry.confidenceScore,
      decision: entry.decision,
      reason: entry.reason,
      downgradedScope: entry.downgradedScope,
      latencyMs: entry.latencyMs,
      inputHash: entry.inputHash,
      outputHash: entry.outputHash,
      policyDigest: entry.policyDigest,
      details: storedForm(entry.details),
      seq: previous.seq + 1,
      recordedAt,
      prevHash: previous.hash,
      hash: '',
    };
    record.hash = hashOf(record);
    records.push(record);
    previous = { seq: record.seq, hash: record.hash, recordedAt };
  }
  return { records, head: previous };
}
