import { GatewayError } from '../../errors/index.js';

/**
 * What the queue routes need from governance, declared structurally so http/ imports no feature
 * module (governance's ReviewQueue satisfies it), and the routes' bodies, queries and views.
 */
export interface QueueItem {
  readonly id: string;
  readonly tenantId: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: Readonly<Record<string, string>>;
  readonly confidenceScore: number;
  readonly reason: string;
  readonly actingFor: string | undefined;
  readonly traceId: string;
  readonly riskScore: number;
  readonly policyDigest: string;
  readonly inputHash: string;
  readonly argsHash: string | undefined;
  readonly enqueuedAt: number;
  readonly expiresAt: number;
  readonly status: 'pending' | 'approved' | 'denied';
  readonly resolvedAt: number | undefined;
  readonly resolvedBy: string | undefined;
  readonly resolutionNote: string | undefined;
  readonly resolverKeyId: string | undefined;
}

/** The review-outcome model's prediction for a pending item (governance's ReviewPrediction fits). */
export interface QueuePrediction {
  readonly outcome: 'approved' | 'denied';
  /** The probability of `outcome`, ≥ 0.5. */
  readonly probability: number;
  readonly modelVersion: string;
}

export interface PendingQuery {
  readonly tenantId: string | undefined;
  readonly actor: string | undefined;
  readonly action: string | undefined;
  readonly after: { readonly enqueuedAt: number; readonly id: string } | undefined;
  readonly limit: number;
}

export interface QueueOperations {
  find(idOrTraceId: string): Promise<QueueItem | undefined>;
  listPending(filter: PendingQuery): Promise<readonly QueueItem[]>;
  resolve(
    idOrTraceId: string,
    request: {
      readonly status: 'approved' | 'denied';
      readonly resolvedBy: string;
      readonly note: string | undefined;
      readonly resolverKeyId: string;
    },
  ): Promise<
    | { readonly type: 'resolved' | 'already_resolved'; readonly item: QueueItem }
    | { readonly type: 'not_found' }
  >;
  wait(
    item: QueueItem,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<{ readonly type: 'resolved' | 'pending'; readonly item: QueueItem }>;
}

type Parsed<T> = ({ readonly type: 'ok' } & T) | { readonly type: 'rejected'; readonly error: GatewayError };

const rejected = (message: string, param: string): { type: 'rejected'; error: GatewayError } => ({
  type: 'rejected',
  error: new GatewayError('invalid_request', message, { param }),
});

/** Lelu's contract: 30 s unless asked, 60 s at most. */
export const defaultWaitMs = 30_000;
export const maxWaitMs = 60_000;
const defaultPageSize = 50;
const maxPageSize = 500;
const maxFilterLength = 200;

type Query = Readonly<Record<string, unknown>>;

function checkNames(query: Query, allowed: readonly string[]): GatewayError | undefined {
  const unknown = Object.keys(query).find((name) => !allowed.includes(name));
  if (unknown === undefined) return undefined;
  return new GatewayError(
    'invalid_request',
    `Unknown query parameter "${unknown}"; expected ${allowed.join(', ')}.`,
    { param: unknown },
  );
}

/** One value of a query parameter, or a message naming it. */
function single(query: Query, name: string): Parsed<{ value: string | undefined }> {
  const value = query[name];
  if (value === undefined) return { type: 'ok', value: undefined };
  if (typeof value !== 'string' || value.length === 0 || value.length > maxFilterLength)
    return rejected(`"${name}" must be given once, 1 to ${maxFilterLength} characters.`, name);
  return { type: 'ok', value };
}

/** `tenant_id` on the item routes: when given, an item of another tenant is not found. */
export function parseItemQuery(
  query: Query,
  extra: readonly string[] = [],
): Parsed<{ tenantId: string | undefined }> {
  const unknown = checkNames(query, ['tenant_id', ...extra]);
  if (unknown !== undefined) return { type: 'rejected', error: unknown };
  const tenant = single(query, 'tenant_id');
  return tenant.type === 'rejected' ? tenant : { type: 'ok', tenantId: tenant.value };
}

/** `timeout_ms`: whole milliseconds, 0 (answer at once) to 60 000; 30 000 when absent. */
export function parseWaitTimeout(query: Query): Parsed<{ timeoutMs: number }> {
  const raw = query.timeout_ms;
  if (raw === undefined) return { type: 'ok', timeoutMs: defaultWaitMs };
  const timeoutMs = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(timeoutMs <= maxWaitMs))
    return rejected(
      `"timeout_ms" must be a whole number of milliseconds from 0 to ${maxWaitMs}.`,
      'timeout_ms',
    );
  return { type: 'ok', timeoutMs };
}

/** `GET /v1/queue/pending?tenant_id=&actor=&action=&limit=&cursor=` */
export function parsePendingQuery(query: Query): Parsed<{ filter: PendingQuery }> {
  const unknown = checkNames(query, ['tenant_id', 'actor', 'action', 'limit', 'cursor']);
  if (unknown !== undefined) return { type: 'rejected', error: unknown };
  const values: Record<string, string | undefined> = {};
  for (const name of ['tenant_id', 'actor', 'action', 'limit', 'cursor']) {
    const parsed = single(query, name);
    if (parsed.type === 'rejected') return parsed;
    values[name] = parsed.value;
  }
  const limit =
    values.limit === undefined ? defaultPageSize : /^\d{1,3}$/.test(values.limit) ? Number(values.limit) : 0;
  if (limit < 1 || limit > maxPageSize)
    return rejected(`"limit" must be a whole number from 1 to ${maxPageSize}.`, 'limit');
  const after = values.cursor === undefined ? undefined : parseCursor(values.cursor);
  if (after === null) return rejected('"cursor" must be a next_cursor from an earlier page.', 'cursor');
  return {
    type: 'ok',
    filter: { tenantId: values.tenant_id, actor: values.actor, action: values.action, after, limit },
  };
}

export function cursorOf(item: QueueItem): string {
  return `${item.enqueuedAt}.${item.id}`;
}

function parseCursor(cursor: string): { enqueuedAt: number; id: string } | null {
  const match = /^(\d{1,15})\.(.+)$/.exec(cursor);
  return match === null ? null : { enqueuedAt: Number(match[1]), id: match[2] ?? '' };
}

/**
 * `{ resolved_by?, note? }` (Lelu's body). A missing or blank `resolved_by` (Lelu accepts an empty
 * one) becomes the resolving key's id; an empty note is no note.
 */
export function parseResolveBody(
  body: unknown,
): Parsed<{ resolvedBy: string | undefined; note: string | undefined }> {
  if (body === undefined || body === null) return { type: 'ok', resolvedBy: undefined, note: undefined };
  if (typeof body !== 'object' || Array.isArray(body))
    return rejected('Send JSON { "resolved_by": "…", "note": "…" } (both optional).', 'body');
  const { resolved_by: resolvedBy, note, ...others } = body as Record<string, unknown>;
  const unknown = Object.keys(others)[0];
  if (unknown !== undefined)
    return rejected(`Unknown field "${unknown}"; expected resolved_by and note.`, unknown);
  if (resolvedBy !== undefined && (typeof resolvedBy !== 'string' || resolvedBy.length > 200))
    return rejected('"resolved_by" must be a string of at most 200 characters.', 'resolved_by');
  if (note !== undefined && (typeof note !== 'string' || note.length > 2_000))
    return rejected('"note" must be a string of at most 2000 characters.', 'note');
  return {
    type: 'ok',
    resolvedBy: resolvedBy?.trim() === '' ? undefined : resolvedBy,
    note: note === '' ? undefined : note,
  };
}

const iso = (milliseconds: number): string => new Date(milliseconds).toISOString();

/**
 * An item as the API shows it: Lelu's review record with its names and omissions (Go
 * `omitempty`: an empty resource, an unset acting_for and the resolution fields of a pending item
 * are left out), plus the decision's trace id, hashes, risk, policy digest and the expiry, and the
 * review-outcome model's `prediction` when there is one (pending items, once a model exists).
 */
export function itemView(item: QueueItem, prediction?: QueuePrediction): Record<string, unknown> {
  return {
    id: item.id,
    tenant_id: item.tenantId,
    actor: item.actor,
    action: item.action,
    ...(Object.keys(item.resource).length === 0 ? {} : { resource: item.resource }),
    confidence_score: item.confidenceScore,
    reason: item.reason,
    ...(item.actingFor === undefined ? {} : { acting_for: item.actingFor }),
    enqueued_at: iso(item.enqueuedAt),
    status: item.status,
    ...(item.resolvedAt === undefined ? {} : { resolved_at: iso(item.resolvedAt) }),
    ...(item.resolvedBy === undefined ? {} : { resolved_by: item.resolvedBy }),
    ...(item.resolutionNote === undefined ? {} : { resolution_note: item.resolutionNote }),
    trace_id: item.traceId,
    expires_at: iso(item.expiresAt),
    risk_score: item.riskScore,
    policy_digest: item.policyDigest,
    input_hash: item.inputHash,
    ...(item.argsHash === undefined ? {} : { args_hash: item.argsHash }),
    ...(item.resolverKeyId === undefined ? {} : { resolver_key_id: item.resolverKeyId }),
    ...(prediction === undefined
      ? {}
      : {
          prediction: {
            outcome: prediction.outcome,
            probability: Math.round(prediction.probability * 10_000) / 10_000,
            model_version: prediction.modelVersion,
          },
        }),
  };
}
