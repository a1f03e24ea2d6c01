import type { LineCodec } from '../../durable/index.js';
import { isAuditEventType, type AuditEntry } from './audit-event.js';

/**
 * Audit entries on disk (the writer's spool and journal): one JSON object per line, checked field
 * by field when read back, so that a torn or edited line is skipped (and its file kept aside)
 * rather than appended to the chain.
 */
export const auditLineCodec: LineCodec<AuditEntry> = {
  toLine: (entry) => JSON.stringify(entry),
  fromLine: auditEntryFromLine,
};

const nullableStrings = [
  'tenantId',
  'traceId',
  'actor',
  'action',
  'decision',
  'reason',
  'downgradedScope',
  'inputHash',
  'outputHash',
  'policyDigest',
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringMap(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((member) => typeof member === 'string');
}

function isNullableNumber(value: unknown): value is number | null {
  return value === null || (typeof value === 'number' && Number.isFinite(value));
}

export function auditEntryFromLine(line: string): AuditEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { eventId, type, timestamp, resource, details, confidenceScore, latencyMs } = value;
  if (typeof eventId !== 'string' || eventId === '' || !isAuditEventType(type)) return undefined;
  if (typeof timestamp !== 'string' || !isObject(details)) return undefined;
  if (resource !== null && !isStringMap(resource)) return undefined;
  if (!isNullableNumber(confidenceScore) || !isNullableNumber(latencyMs)) return undefined;
  if (!nullableStrings.every((field) => value[field] === null || typeof value[field] === 'string')) {
    return undefined;
  }
  return value as unknown as AuditEntry;
}
