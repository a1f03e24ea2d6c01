import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json.js';
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

type BodyField = keyof HashedBody;

/** The body's field names in RFC 8785 order (UTF-16 code units; all ASCII here), sorted once. */
const fieldOrder: readonly BodyField[] = (
  [
    'seq',
    'event_id',
    'type',
    'recorded_at',
    'timestamp',
    'tenant_id',
    'trace_id',
    'actor',
    'action',
    'resource',
    'confidence_score',
    'decision',
    'reason',
    'downgraded_scope',
    'latency_ms',
    'input_hash',
    'output_hash',
    'policy_digest',
    'details',
    'prev_hash',
  ] as const
).toSorted();

/**
 * The canonical JSON of a body: the same text as `canonicalJson(body)` (a property test holds them
 * equal), without sorting the top level's twenty names for every record, since they never change.
 */
export function canonicalBodyText(body: HashedBody): string {
  let text = '{';
  for (const field of fieldOrder) {
    if (text.length > 1) text += ',';
    text += `"${field}":${canonicalJson(body[field])}`;
  }
  return `${text}}`;
}

export function hashOf(body: HashedBody): string {
  return createHash('sha256').update(canonicalBodyText(body), 'utf8').digest('hex');
}

/** Recomputes a stored record's hash from its contents. */
export function recomputedHash(record: AuditRecord): string {
  return hashOf(hashedBody(record));
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
    const unsealed = {
      ...entry,
      details: storedForm(entry.details),
      seq: previous.seq + 1,
      recordedAt,
      prevHash: previous.hash,
    };
    const record: AuditRecord = { ...unsealed, hash: hashOf(hashedBody(unsealed)) };
    records.push(record);
    previous = { seq: record.seq, hash: record.hash, recordedAt };
  }
  return { records, head: previous };
}
