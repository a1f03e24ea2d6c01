import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { isAuditEventType, type AuditRecord } from '../audit-event.js';
import { hashedBody, type HashedBody } from '../audit-hash.js';
import type { AuditRange, AuditStore } from '../audit-store.js';

/**
 * The log as NDJSON (export, archive, `GET /admin/audit`): one record per line, each the record's
 * hashed body (its snake_case fields, docs/governance.md "Audit") plus its `hash`, so whoever holds
 * an exported or archived file can re-check every hash and link with the documented recipe alone.
 */
export type AuditRecordView = HashedBody & { readonly hash: string };

export function auditRecordView(record: AuditRecord): AuditRecordView {
  return { ...hashedBody(record), hash: record.hash };
}

export function exportLineOf(record: AuditRecord): string {
  return `${JSON.stringify(auditRecordView(record))}\n`;
}

const optionalStrings = [
  'tenant_id',
  'trace_id',
  'actor',
  'action',
  'decision',
  'reason',
  'downgraded_scope',
  'input_hash',
  'output_hash',
  'policy_digest',
] as const;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nullableNumber(value: unknown): number | null | undefined {
  return value === null || typeof value === 'number' ? value : undefined;
}

/**
 * A line of an export or archive as a record again (for reading an archive back before deleting
 * its rows); undefined when it is not one. Values are taken as written: the chain check that
 * follows decides whether they are the records that were appended.
 */
export function recordFromExportLine(line: string): AuditRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const { seq, recorded_at: recordedAt, event_id: eventId, type, timestamp, prev_hash, hash } = value;
  if (typeof seq !== 'number' || typeof recordedAt !== 'number' || typeof eventId !== 'string')
    return undefined;
  if (typeof type !== 'string' || typeof timestamp !== 'string') return undefined;
  if (typeof prev_hash !== 'string' || typeof hash !== 'string' || !isObject(value.details)) return undefined;
  if (value.resource !== null && !isObject(value.resource)) return undefined;
  if (!optionalStrings.every((field) => value[field] === null || typeof value[field] === 'string')) {
    return undefined;
  }
  const confidenceScore = nullableNumber(value.confidence_score);
  const latencyMs = nullableNumber(value.latency_ms);
  if (confidenceScore === undefined || latencyMs === undefined) return undefined;
  const text = (field: (typeof optionalStrings)[number]) => value[field] as string | null;
  return {
    seq,
    eventId,
    type: isAuditEventType(type) ? type : (type as 'decision'),
    recordedAt,
    timestamp,
    tenantId: text('tenant_id'),
    traceId: text('trace_id'),
    actor: text('actor'),
    action: text('action'),
    resource: value.resource as Record<string, string> | null,
    confidenceScore,
    decision: text('decision'),
    reason: text('reason'),
    downgradedScope: text('downgraded_scope'),
    latencyMs,
    inputHash: text('input_hash'),
    outputHash: text('output_hash'),
    policyDigest: text('policy_digest'),
    details: value.details,
    prevHash: prev_hash,
    hash,
  };
}

/**
 * The records of a range in sequence order, a page at a time (constant memory however long the
 * log): each page starts after the last record of the one before.
 */
export async function* recordsOf(
  store: Pick<AuditStore, 'read'>,
  range: Omit<AuditRange, 'limit'>,
  pageSize = 1_000,
): AsyncGenerator<AuditRecord> {
  for (let cursor = range.fromSeq; ;) {
    const page = await store.read({ ...range, fromSeq: cursor, limit: pageSize });
    yield* page;
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return;
    cursor = last.seq + 1;
  }
}

async function* linesOf(records: AsyncIterable<AuditRecord>, counter: { lines: number }) {
  for await (const record of records) {
    counter.lines += 1;
    yield exportLineOf(record);
  }
}

/**
 * Records as NDJSON bytes, gzip-compressed when asked, streamed with backpressure (the source is
 * read only as fast as the consumer takes bytes). `counter.lines` counts the lines produced.
 */
export function ndjsonStream(
  records: AsyncIterable<AuditRecord>,
  options: { readonly gzip: boolean; readonly counter: { lines: number } },
): Readable {
  const source = Readable.from(linesOf(records, options.counter), { objectMode: false });
  if (!options.gzip) return source;
  const gzip = createGzip();
  // A failing source destroys the gzip stream with its error, which its reader then sees.
  pipeline(source, gzip).catch(() => undefined);
  return gzip;
}
