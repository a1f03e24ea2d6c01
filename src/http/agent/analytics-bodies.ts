import { GatewayError } from '../../errors/index.js';
import type {
  AgentAnalytics,
  AlertItem,
  AlertQuery,
  AlertStatusName,
  AnalyticsThresholds,
  BaselineView,
  PolicyAnalytics,
} from './analytics-operations.js';

/** The analytics routes' queries and bodies, and their views (Lelu's names where it has them). */

type Parsed<T> = ({ readonly type: 'ok' } & T) | { readonly type: 'rejected'; readonly error: GatewayError };
type Query = Readonly<Record<string, unknown>>;

const rejected = (message: string, param: string): { type: 'rejected'; error: GatewayError } => ({
  type: 'rejected',
  error: new GatewayError('invalid_request', message, { param }),
});

const maxTextLength = 200;
const defaultLimit = 50;
const maxLimit = 500;
/** `tenant_id` of an agent route when none is given: the authorize route's default. */
export const defaultTenant = 'default';

/** Each named parameter given once, 1 to 200 characters; unknown names refused. */
function read(
  query: Query,
  allowed: readonly string[],
): Parsed<{ values: Record<string, string | undefined> }> {
  const unknown = Object.keys(query).find((name) => !allowed.includes(name));
  if (unknown !== undefined)
    return rejected(`Unknown query parameter "${unknown}"; expected ${allowed.join(', ')}.`, unknown);
  const values: Record<string, string | undefined> = {};
  for (const name of allowed) {
    const value = query[name];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length === 0 || value.length > maxTextLength)
      return rejected(`"${name}" must be given once, 1 to ${maxTextLength} characters.`, name);
    values[name] = value;
  }
  return { type: 'ok', values };
}

function limitOf(text: string | undefined): number | undefined {
  if (text === undefined) return defaultLimit;
  const limit = /^\d{1,3}$/.test(text) ? Number(text) : 0;
  return limit >= 1 && limit <= maxLimit ? limit : undefined;
}

/** `?tenant_id=` of the routes about one agent. */
export function parseAgentQuery(query: Query, extra: readonly string[] = []) {
  const parsed = read(query, ['tenant_id', ...extra]);
  if (parsed.type === 'rejected') return parsed;
  return { type: 'ok' as const, tenantId: parsed.values.tenant_id ?? defaultTenant, values: parsed.values };
}

export interface ReputationListQuery {
  readonly tenantId: string | undefined;
  readonly sort: 'top' | 'problematic';
  readonly threshold: number | undefined;
  readonly limit: number;
}

/** `GET /v1/analytics/reputation?tenant_id=&sort=top|problematic&threshold=&limit=` (Lelu's sorts). */
export function parseReputationQuery(query: Query): Parsed<{ query: ReputationListQuery }> {
  const parsed = read(query, ['tenant_id', 'sort', 'threshold', 'limit']);
  if (parsed.type === 'rejected') return parsed;
  const { values } = parsed;
  const sort = values.sort ?? 'top';
  if (sort !== 'top' && sort !== 'problematic') return rejected('"sort" must be top or problematic.', 'sort');
  const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 1))
    return rejected('"threshold" must be a number from 0 to 1.', 'threshold');
  const limit = limitOf(values.limit);
  if (limit === undefined) return rejected(`"limit" must be a whole number from 1 to ${maxLimit}.`, 'limit');
  return { type: 'ok', query: { tenantId: values.tenant_id, sort, threshold, limit } };
}

const statusSets: Readonly<Record<string, readonly AlertStatusName[]>> = {
  open: ['active', 'acknowledged'],
  active: ['active'],
  acknowledged: ['acknowledged'],
  resolved: ['resolved'],
  all: ['active', 'acknowledged', 'resolved'],
};

/** `GET /v1/analytics/alerts?tenant_id=&agent_id=&kind=&status=open|active|acknowledged|resolved|all&since=&limit=` */
export function parseAlertQuery(query: Query): Parsed<{ query: AlertQuery }> {
  const parsed = read(query, ['tenant_id', 'agent_id', 'kind', 'status', 'since', 'limit']);
  if (parsed.type === 'rejected') return parsed;
  const { values } = parsed;
  const statuses = statusSets[values.status ?? 'open'];
  if (statuses === undefined)
    return rejected(`"status" must be one of ${Object.keys(statusSets).join(', ')}.`, 'status');
  const since = parseSince(values.since);
  if (since === null)
    return rejected('"since" must be an RFC 3339 time, like 2026-01-01T00:00:00Z.', 'since');
  const limit = limitOf(values.limit);
  if (limit === undefined) return rejected(`"limit" must be a whole number from 1 to ${maxLimit}.`, 'limit');
  return {
    type: 'ok',
    query: { statuses, tenantId: values.tenant_id, agent: values.agent_id, kind: values.kind, since, limit },
  };
}

/** An RFC 3339 time as Unix ms; undefined when absent; null when not a time. */
export function parseSince(text: string | undefined): number | undefined | null {
  if (text === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return null;
  const time = Date.parse(text);
  return Number.isFinite(time) ? time : null;
}

/**
 * `{ acknowledged_by? }` or `{ resolved_by?, note? }`: Lelu requires `acknowledged_by`; here a
 * missing one is the caller's key id, as the review queue does with `resolved_by`.
 */
export function parseAlertBody(
  body: unknown,
  by: 'acknowledged_by' | 'resolved_by',
): Parsed<{ by: string | undefined; note: string | undefined }> {
  if (body === undefined || body === null) return { type: 'ok', by: undefined, note: undefined };
  if (typeof body !== 'object' || Array.isArray(body))
    return rejected(
      `Send JSON { "${by}": "…"${by === 'resolved_by' ? ', "note": "…"' : ''} } (optional).`,
      'body',
    );
  const allowed = by === 'resolved_by' ? [by, 'note'] : [by];
  const record = body as Record<string, unknown>;
  const unknown = Object.keys(record).find((name) => !allowed.includes(name));
  if (unknown !== undefined)
    return rejected(`Unknown field "${unknown}"; expected ${allowed.join(' and ')}.`, unknown);
  const name = record[by];
  if (name !== undefined && (typeof name !== 'string' || name.length > maxTextLength))
    return rejected(`"${by}" must be a string of at most ${maxTextLength} characters.`, by);
  const note = record.note;
  if (note !== undefined && (typeof note !== 'string' || note.length > 2_000))
    return rejected('"note" must be a string of at most 2000 characters.', 'note');
  return {
    type: 'ok',
    by: typeof name === 'string' && name.trim() !== '' ? name : undefined,
    note: typeof note === 'string' && note !== '' ? note : undefined,
  };
}

const iso = (milliseconds: number): string => new Date(milliseconds).toISOString();
const rounded = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Lelu's reputation record (`agent_id`, `reputation_score`, `decision_count`, `accuracy_rate`, `last_updated`) and ours. */
export function reputationView(
  agent: AgentAnalytics,
  thresholds: AnalyticsThresholds,
): Record<string, unknown> {
  const { reputation } = agent;
  return {
    agent_id: agent.actor,
    tenant_id: agent.tenantId,
    reputation_score: rounded(reputation.score),
    status: reputation.status,
    decision_count: agent.decisionsKnown,
    reviewed_decisions: reputation.reviewed,
    approved: reputation.approved,
    denied: reputation.denied,
    accuracy_rate: reputation.reviewed === 0 ? null : rounded(reputation.approved / reputation.reviewed),
    low: reputation.low,
    risk_reliability: rounded(reputation.reliability),
    low_threshold: thresholds.reputationLow,
    min_decisions: thresholds.reputationMinDecisions,
    last_updated: iso(agent.lastActiveAt),
  };
}

export function anomalyView(agent: AgentAnalytics, thresholds: AnalyticsThresholds): Record<string, unknown> {
  const { anomaly } = agent;
  return {
    agent_id: agent.actor,
    tenant_id: agent.tenantId,
    enabled: thresholds.anomalyEnabled,
    status: thresholds.anomalyEnabled ? anomaly.status : 'disabled',
    anomaly_score: rounded(anomaly.score),
    anomalous: anomaly.status === 'scored' && anomaly.score >= thresholds.anomalySeverity,
    threshold: thresholds.anomalySeverity,
    risk_anomaly_factor: rounded(agent.anomalyFactor),
    leading_feature: anomaly.leading ?? null,
    features:
      anomaly.features === undefined
        ? null
        : Object.fromEntries(
            Object.entries(anomaly.features).map(([name, value]) => [
              name,
              value === null ? null : rounded(value),
            ]),
          ),
    window_decisions: anomaly.windowDecisions,
    window_size: thresholds.anomalyWindowSize,
    baseline_computed_at: agent.baseline === undefined ? null : iso(agent.baseline.computedAt),
  };
}

function quantile(sorted: readonly number[], share: number): number | null {
  if (sorted.length === 0) return null;
  return rounded(sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? 0);
}

function shares(counts: Readonly<Record<string, number>>, total: number): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts)
      .sort(([, first], [, second]) => second - first)
      .map(([name, count]) => [name, rounded(count / Math.max(1, total))]),
  );
}

export function baselineView(
  baseline: BaselineView,
  thresholds: AnalyticsThresholds,
): Record<string, unknown> {
  return {
    computed_at: iso(baseline.computedAt),
    refresh_due_at: iso(baseline.computedAt + thresholds.baselineRefreshMs),
    sample_size: baseline.decisions,
    first_decision_at: iso(baseline.firstAt),
    last_decision_at: iso(baseline.lastAt),
    actions: shares(baseline.actions, baseline.decisions),
    outcomes: shares(baseline.outcomes, baseline.decisions),
    deny_rate: rounded((baseline.outcomes.deny ?? 0) / Math.max(1, baseline.decisions)),
    confidence: {
      count: baseline.confidences.length,
      p10: quantile(baseline.confidences, 0.1),
      median: quantile(baseline.confidences, 0.5),
      p90: quantile(baseline.confidences, 0.9),
    },
    hours_utc: baseline.hours,
    median_gap_ms: baseline.medianGapMs,
  };
}

export function policyView(
  policy: PolicyAnalytics,
  thresholds: AnalyticsThresholds,
): Record<string, unknown> {
  return {
    policy_id: policy.policyId,
    effectiveness: policy.effectiveness === undefined ? null : rounded(policy.effectiveness),
    reviewed_decisions: policy.reviewed,
    upheld: policy.upheld,
    overturned: policy.overturned,
    flagged_for_review: policy.flagged,
    optimization_threshold: thresholds.policyOptimization,
    min_reviews: thresholds.policyMinReviews,
  };
}

/** Lelu's alert record (`id`, `agent_id`, `timestamp`, `title`, `severity`, `status`) and ours. */
export function alertView(alert: AlertItem): Record<string, unknown> {
  const { subject } = alert;
  return {
    id: alert.id,
    kind: alert.kind,
    ...(subject.type === 'agent'
      ? { agent_id: subject.agent, tenant_id: subject.tenantId }
      : { policy_id: subject.policyId }),
    title: alert.title,
    severity: 'warning',
    status: alert.status,
    value: rounded(alert.value),
    threshold: alert.threshold,
    details: alert.details,
    timestamp: iso(alert.raisedAt),
    ...(alert.acknowledgedAt === undefined ? {} : { acknowledged_at: iso(alert.acknowledgedAt) }),
    ...(alert.acknowledgedBy === undefined ? {} : { acknowledged_by: alert.acknowledgedBy }),
    ...(alert.resolvedAt === undefined ? {} : { resolved_at: iso(alert.resolvedAt) }),
    ...(alert.resolvedBy === undefined ? {} : { resolved_by: alert.resolvedBy }),
    ...(alert.resolutionNote === undefined ? {} : { resolution_note: alert.resolutionNote }),
  };
}
