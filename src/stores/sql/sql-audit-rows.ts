import type { Insertable, Selectable } from 'kysely';
import {
  emptyHead,
  hashedBody,
  isAuditEventType,
  type AuditHead,
  type AuditRecord,
} from '../../governance/audit/index.js';
import type { AuditHeadTable, AuditRecordsTable } from './database-schema.js';

/** Audit records as rows and back (`resource` and `details` are JSON text in the table). */

export function recordToRow(record: AuditRecord): Insertable<AuditRecordsTable> {
  // The hashed body names every column but `hash`; the JSON ones are stored as text.
  return {
    ...hashedBody(record),
    resource: record.resource === null ? null : JSON.stringify(record.resource),
    details: JSON.stringify(record.details),
    hash: record.hash,
  };
}

/**
 * A JSON column as its value. Text that is not JSON (edited by hand) is kept as a value that can
 * never hash like the original, so verification reports the record rather than failing to read it.
 */
function parsedJson(text: string): Readonly<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Below.
  }
  return { unreadable_json: text };
}

export function rowToRecord(row: Selectable<AuditRecordsTable>): AuditRecord {
  return {
    seq: row.seq,
    eventId: row.event_id,
    // A type edited into something unknown still reads; its hash then fails.
    type: isAuditEventType(row.type) ? row.type : (row.type as 'decision'),
    recordedAt: row.recorded_at,
    timestamp: row.timestamp,
    tenantId: row.tenant_id,
    traceId: row.trace_id,
    actor: row.actor,
    action: row.action,
    resource: row.resource === null ? null : (parsedJson(row.resource) as Record<string, string>),
    confidenceScore: row.confidence_score,
    decision: row.decision,
    reason: row.reason,
    downgradedScope: row.downgraded_scope,
    latencyMs: row.latency_ms,
    inputHash: row.input_hash,
    outputHash: row.output_hash,
    policyDigest: row.policy_digest,
    details: parsedJson(row.details),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function rowToHead(
  row: Pick<Selectable<AuditHeadTable>, 'seq' | 'hash' | 'recorded_at'> | undefined,
): AuditHead {
  if (row === undefined) return emptyHead;
  return { seq: row.seq, hash: row.hash, recordedAt: row.recorded_at };
}

export const auditColumns = [
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
  'hash',
] as const satisfies readonly (keyof AuditRecordsTable)[];
