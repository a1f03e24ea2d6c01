import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import { parseUsageQuery, type UsageDimension, type UsageReportQuery } from './admin-usage-query.js';

/** One aggregated row (structurally `UsageSummaryRow` of accounting/). */
export interface UsageReportRow {
  readonly key?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly team?: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly day?: string;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly costUsd: number;
  readonly savedCostUsd: number;
}

/** What the reports need: the usage store's `summarize` fits as is. */
export interface UsageReports {
  summarize(query: UsageReportQuery): Promise<readonly UsageReportRow[]>;
}

export type AdminAuthorization = { readonly ok: true } | { readonly ok: false; readonly error: GatewayError };

export interface AdminUsageRouteDependencies {
  readonly reports: UsageReports;
  /** Whether the caller may read admin reports (the master key, or a key with the admin role). */
  readonly authorizeAdmin: (
    headers: Readonly<Record<string, string | string[] | undefined>>,
  ) => AdminAuthorization | Promise<AdminAuthorization>;
  /** The admin API answers errors in the OpenAI dialect. */
  readonly codec: DialectCodec;
  readonly now?: () => number;
}

/** Costs are sums of small floats: rounding to 1e-10 USD hides the binary noise, nothing else. */
function usd(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

function figures(row: Omit<UsageReportRow, UsageDimension>) {
  return {
    requests: row.requests,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cached_input_tokens: row.cachedInputTokens,
    cost_usd: usd(row.costUsd),
    saved_cost_usd: usd(row.savedCostUsd),
  };
}

function total(rows: readonly UsageReportRow[]) {
  const sum = {
    requests: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    costUsd: 0,
    savedCostUsd: 0,
  };
  for (const row of rows) {
    sum.requests += row.requests;
    sum.inputTokens += row.inputTokens;
    sum.outputTokens += row.outputTokens;
    sum.cachedInputTokens += row.cachedInputTokens;
    sum.costUsd += row.costUsd;
    sum.savedCostUsd += row.savedCostUsd;
  }
  return sum;
}

function window(query: UsageReportQuery) {
  const filters: Record<string, string> = {};
  if (query.keyId !== undefined) filters.key = query.keyId;
  if (query.model !== undefined) filters.model = query.model;
  if (query.provider !== undefined) filters.provider = query.provider;
  if (query.team !== undefined) filters.team = query.team;
  return { from: new Date(query.from).toISOString(), to: new Date(query.to).toISOString(), filters };
}

/** A breakdown by one dimension: dearest first, except days, which read best in order. */
function breakdown(rows: readonly UsageReportRow[], dimension: UsageDimension) {
  const entries = rows.map((row) => ({
    [dimension]: row[dimension] ?? null,
    requests: row.requests,
    cost_usd: usd(row.costUsd),
    saved_cost_usd: usd(row.savedCostUsd),
  }));
  return dimension === 'day' ? entries : entries.sort((left, right) => right.cost_usd - left.cost_usd);
}

/**
 * `GET /admin/usage` (token and cost totals grouped by `group_by`, default by day) and
 * `GET /admin/spend` (cost totals with breakdowns by key, model, provider and day). Both filter by
 * `from`, `to` (default: the last 7 days), `key`, `model`, `provider` and `team`.
 */
export function registerAdminUsageRoutes(
  app: FastifyInstance,
  dependencies: AdminUsageRouteDependencies,
): void {
  const { reports, codec } = dependencies;
  const now = dependencies.now ?? Date.now;

  async function admitted(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const authorization = await dependencies.authorizeAdmin(request.headers);
    if (authorization.ok) return true;
    renderError(reply, codec, authorization.error, request.id);
    return false;
  }

  function unavailable(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
    request.log.error({ err: error }, 'usage report failed');
    const failure = new GatewayError(
      'service_unavailable',
      'Usage data is unavailable right now; try again shortly.',
      {
        cause: error,
      },
    );
    return renderError(reply, codec, failure, request.id);
  }

  app.get('/admin/usage', async (request, reply) => {
    if (!(await admitted(request, reply))) return reply;
    const parsed = parseUsageQuery(request.query, {
      now: now(),
      allowGroupBy: true,
      defaultGroupBy: ['day'],
    });
    if (!parsed.ok) return renderError(reply, codec, parsed.error, request.id);
    const { query } = parsed;
    let rows: readonly UsageReportRow[];
    try {
      rows = await reports.summarize(query);
    } catch (error) {
      return unavailable(request, reply, error);
    }
    return reply.send({
      object: 'usage_report',
      ...window(query),
      group_by: query.groupBy,
      data: rows.map((row) => ({
        ...Object.fromEntries(query.groupBy.map((dimension) => [dimension, row[dimension] ?? null])),
        ...figures(row),
      })),
      total: figures(total(rows)),
    });
  });

  app.get('/admin/spend', async (request, reply) => {
    if (!(await admitted(request, reply))) return reply;
    const parsed = parseUsageQuery(request.query, { now: now(), allowGroupBy: false, defaultGroupBy: [] });
    if (!parsed.ok) return renderError(reply, codec, parsed.error, request.id);
    const { query } = parsed;
    const dimensions = ['key', 'model', 'provider', 'day'] as const;
    let grouped: (readonly UsageReportRow[])[];
    try {
      grouped = await Promise.all(
        dimensions.map((dimension) => reports.summarize({ ...query, groupBy: [dimension] })),
      );
    } catch (error) {
      return unavailable(request, reply, error);
    }
    const [byKey = [], byModel = [], byProvider = [], byDay = []] = grouped;
    const sum = total(byDay);
    return reply.send({
      object: 'spend_report',
      ...window(query),
      requests: sum.requests,
      cost_usd: usd(sum.costUsd),
      saved_cost_usd: usd(sum.savedCostUsd),
      by_key: breakdown(byKey, 'key'),
      by_model: breakdown(byModel, 'model'),
      by_provider: breakdown(byProvider, 'provider'),
      by_day: breakdown(byDay, 'day'),
    });
  });
}
