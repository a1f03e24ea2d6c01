/**
 * What the audit log holds. Every record is Lelu's audit record (GOVERNANCE.md: `tenant_id,
 * trace_id, timestamp, actor, action, resource, confidence_score, decision, reason,
 * downgraded_scope, latency_ms, input_hash, output_hash, policy_digest`) with, in addition, its
 * event type, a unique event id, free-form `details`, and its place in the chain (`seq`,
 * `recorded_at`, `prev_hash`, `hash`). Fields an event does not have are null.
 */

/** The closed set of event types; docs/governance.md ("Audit") describes each. */
export const auditEventTypes = [
  'decision',
  'review.created',
  'review.resolved',
  'delegation.granted',
  'delegation.refused',
  'delegation.revoked',
  'token.minted',
  'token.revoked',
  'policy.changed',
  'guard.blocked',
  'tool_call.judged',
  'key.created',
  'key.updated',
  'key.revoked',
  'checkpoint',
] as const;

export type AuditEventType = (typeof auditEventTypes)[number];

const eventTypeSet: ReadonlySet<string> = new Set(auditEventTypes);

export function isAuditEventType(value: unknown): value is AuditEventType {
  return typeof value === 'string' && eventTypeSet.has(value);
}

/**
 * What an area hands the audit trail: the Lelu fields it has (the rest are recorded as null) and
 * `details`, a JSON object for whatever else the event carries (never a secret).
 */
export interface AuditEvent {
  readonly type: AuditEventType;
  /** When it happened, ISO 8601 in UTC; absent: when it was handed over. */
  readonly timestamp?: string | undefined;
  readonly tenantId?: string | undefined;
  readonly traceId?: string | undefined;
  /** Who acted: the agent, the person, the admin key's id. */
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly resource?: Readonly<Record<string, string>> | undefined;
  readonly confidenceScore?: number | undefined;
  readonly decision?: string | undefined;
  readonly reason?: string | undefined;
  readonly downgradedScope?: string | undefined;
  readonly latencyMs?: number | undefined;
  readonly inputHash?: string | undefined;
  readonly outputHash?: string | undefined;
  readonly policyDigest?: string | undefined;
  /** Plain JSON values only (no Dates, Maps, functions); stored as JSON. */
  readonly details?: Readonly<Record<string, unknown>> | undefined;
}

/** An event as it waits to be appended: complete, with its id (replays are recognised by it). */
export interface AuditEntry {
  readonly eventId: string;
  readonly type: AuditEventType;
  readonly timestamp: string;
  readonly tenantId: string | null;
  readonly traceId: string | null;
  readonly actor: string | null;
  readonly action: string | null;
  readonly resource: Readonly<Record<string, string>> | null;
  readonly confidenceScore: number | null;
  readonly decision: string | null;
  readonly reason: string | null;
  readonly downgradedScope: string | null;
  readonly latencyMs: number | null;
  readonly inputHash: string | null;
  readonly outputHash: string | null;
  readonly policyDigest: string | null;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A record of the chain, as stored. */
export interface AuditRecord extends AuditEntry {
  /** 1, 2, 3, … without gaps, in the order records were appended (by any replica). */
  readonly seq: number;
  /** Unix milliseconds when it was appended; never decreases along the chain. */
  readonly recordedAt: number;
  /** The previous record's hash; 64 zeros for record 1. */
  readonly prevHash: string;
  /** SHA-256 (hex) of the record's canonical JSON, `prev_hash` included (docs/governance.md). */
  readonly hash: string;
}

/** The end of the chain: the last record's number and hash (0 and 64 zeros when empty). */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
  /** The last record's `recordedAt` (0 when empty). */
  readonly recordedAt: number;
}

export const genesisHash = '0'.repeat(64);

export const emptyHead: AuditHead = Object.freeze({ seq: 0, hash: genesisHash, recordedAt: 0 });

/** A finite number or null: NaN and infinities have no JSON form. */
function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

/** Completes an event; O(1), no copying of its resource or details. */
export function auditEntryOf(event: AuditEvent, eventId: string, now: number): AuditEntry {
  return {
    eventId,
    type: event.type,
    timestamp: event.timestamp ?? new Date(now).toISOString(),
    tenantId: event.tenantId ?? null,
    traceId: event.traceId ?? null,
    actor: event.actor ?? null,
    action: event.action ?? null,
    resource: event.resource ?? null,
    confidenceScore: finiteOrNull(event.confidenceScore),
    decision: event.decision ?? null,
    reason: event.reason ?? null,
    downgradedScope: event.downgradedScope ?? null,
    latencyMs: finiteOrNull(event.latencyMs),
    inputHash: event.inputHash ?? null,
    outputHash: event.outputHash ?? null,
    policyDigest: event.policyDigest ?? null,
    details: event.details ?? {},
  };
}
