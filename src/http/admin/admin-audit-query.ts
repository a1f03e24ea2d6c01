import { GatewayError } from '../../errors/index.js';
import { parseInstant } from './admin-usage-query.js';

/**
 * What `GET /admin/audit` asks the audit log for (structurally the audit module's `AuditQuery`):
 * sequence bounds inclusive, time bounds from inclusive and to exclusive, exact-match filters, a
 * page of `limit` records in sequence order.
 */
export interface AuditLogFilter {
  readonly fromSeq?: number;
  readonly toSeq?: number;
  readonly fromTime?: number;
  readonly toTime?: number;
  readonly type?: string;
  readonly tenantId?: string;
  readonly actor?: string;
  readonly action?: string;
  readonly traceId?: string;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
}

export type ParsedAuditQuery =
  | { readonly ok: true; readonly filter: AuditLogFilter }
  | { readonly ok: false; readonly error: GatewayError };

export const defaultAuditPageSize = 100;
export const maxAuditPageSize = 1_000;

const textFilters = {
  type: 'type',
  tenant_id: 'tenantId',
  actor: 'actor',
  action: 'action',
  trace_id: 'traceId',
} as const;
const accepted = [
  'from',
  'to',
  'from_seq',
  'to_seq',
  ...Object.keys(textFilters),
  'order',
  'cursor',
  'limit',
];

function invalid(message: string, param: string): ParsedAuditQuery {
  return { ok: false, error: new GatewayError('invalid_request', message, { param }) };
}

/** A positive whole number within JavaScript's exact range, or undefined. */
function positiveInteger(text: string): number | undefined {
  if (!/^\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 1 ? value : undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Validates the query string of `GET /admin/audit`: only known parameters, each once; `from`/`to`
 * ISO 8601 or Unix ms; `from_seq`/`to_seq`/`cursor` positive integers; `type` one of
 * `eventTypes`; `order` `asc` or `desc` (default: newest first); `limit` 1–1000 (default 100).
 * The cursor is the `next_cursor` of the page before: the next page starts after it in `order`.
 */
export function parseAuditQuery(raw: unknown, eventTypes: readonly string[]): ParsedAuditQuery {
  const parameters = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const shown = name.slice(0, 40);
    if (!accepted.includes(name))
      return invalid(`Unknown query parameter '${shown}'; accepted: ${accepted.join(', ')}.`, shown);
    if (typeof value !== 'string') return invalid(`Query parameter '${name}' must be given once.`, name);
    values[name] = value;
  }
  const filter: Mutable<AuditLogFilter> = { order: 'desc', limit: defaultAuditPageSize };
  for (const bound of ['from', 'to'] as const) {
    const text = values[bound];
    if (text === undefined) continue;
    const instant = parseInstant(text, bound);
    if (instant === undefined)
      return invalid(`'${bound}' must be an ISO 8601 date or date-time, or unix milliseconds.`, bound);
    filter[bound === 'from' ? 'fromTime' : 'toTime'] = instant;
  }
  if (filter.fromTime !== undefined && filter.toTime !== undefined && filter.fromTime >= filter.toTime) {
    return invalid("'from' must be earlier than 'to'.", 'from');
  }
  for (const [name, field] of [
    ['from_seq', 'fromSeq'],
    ['to_seq', 'toSeq'],
  ] as const) {
    const text = values[name];
    if (text === undefined) continue;
    const seq = positiveInteger(text);
    if (seq === undefined) return invalid(`'${name}' must be a positive integer (a sequence number).`, name);
    filter[field] = seq;
  }
  for (const [name, field] of Object.entries(textFilters)) {
    const text = values[name];
    if (text === undefined) continue;
    if (text === '' || text.length > 256)
      return invalid(`'${name}' must be between 1 and 256 characters.`, name);
    filter[field] = text;
  }
  if (filter.type !== undefined && !eventTypes.includes(filter.type)) {
    return invalid(`'type' must be one of ${eventTypes.join(', ')}.`, 'type');
  }
  return withPaging(filter, values);
}

function withPaging(filter: Mutable<AuditLogFilter>, values: Record<string, string>): ParsedAuditQuery {
  if (values.order !== undefined) {
    if (values.order !== 'asc' && values.order !== 'desc')
      return invalid("'order' must be asc or desc.", 'order');
    filter.order = values.order;
  }
  if (values.limit !== undefined) {
    const limit = positiveInteger(values.limit);
    if (limit === undefined || limit > maxAuditPageSize) {
      return invalid(`'limit' must be an integer from 1 to ${maxAuditPageSize}.`, 'limit');
    }
    filter.limit = limit;
  }
  if (values.cursor !== undefined) {
    const cursor = positiveInteger(values.cursor);
    if (cursor === undefined)
      return invalid("'cursor' must be the next_cursor of a previous page.", 'cursor');
    if (filter.order === 'asc') filter.fromSeq = Math.max(filter.fromSeq ?? 1, cursor + 1);
    else filter.toSeq = Math.min(filter.toSeq ?? Number.MAX_SAFE_INTEGER, cursor - 1);
  }
  return { ok: true, filter };
}
