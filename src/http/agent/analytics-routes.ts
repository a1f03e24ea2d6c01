import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import {
  alertView,
  anomalyView,
  baselineView,
  parseAgentQuery,
  parseReputationQuery,
  parseSince,
  policyView,
  reputationView,
} from './analytics-bodies.js';
import type { AgentAnalytics, AnalyticsRoutesDependencies } from './analytics-operations.js';
import {
  agentMayNotChange,
  analyticsAccessOf,
  notOperator,
  otherAgent,
  type AnalyticsAccess,
} from './analytics-access.js';
import { registerAlertRoutes } from './analytics-alert-routes.js';

export type { AnalyticsRoutesDependencies } from './analytics-operations.js';

const anomalyOff = new GatewayError(
  'conflict',
  'Anomaly detection is off (governance.analytics.anomaly.enabled, ANOMALY_DETECTION_ENABLED): there are no baselines.',
);

type AgentRequest = FastifyRequest<{ Params: { agent: string } }>;

/**
 * Behavioural analytics (Lelu's routes, docs/governance.md "Analytics"):
 * `GET /v1/analytics/reputation[/{agent}]`, `GET /v1/analytics/anomalies/{agent}`,
 * `GET /v1/analytics/baseline/{agent}`, `POST /v1/analytics/baseline/{agent}/refresh`,
 * `GET /v1/analytics/policies`, `GET /v1/analytics/alerts`, and
 * `POST /v1/analytics/alerts/{id}/acknowledge|resolve`. Figures are this replica's (every replica
 * reads the same history); alerts are read from the database.
 */
export function registerAnalyticsRoutes(
  app: FastifyInstance,
  dependencies: AnalyticsRoutesDependencies,
): void {
  const { analytics, keys, codec } = dependencies;
  const { thresholds } = analytics;
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  const accessOf = (request: FastifyRequest, reply: FastifyReply) =>
    analyticsAccessOf(keys, codec, request, reply);

  /** The agent named in the path, if the caller may read it; else the error already sent. */
  async function agentRoute(
    request: AgentRequest,
    reply: FastifyReply,
    extra: readonly string[] = [],
  ): Promise<
    | { access: AnalyticsAccess; tenantId: string; agent: string; values: Record<string, string | undefined> }
    | undefined
  > {
    const access = await accessOf(request, reply);
    if (access === undefined) return undefined;
    const { agent } = request.params;
    if (agent.length > 200) {
      fail(
        request,
        reply,
        new GatewayError('invalid_request', 'An agent name has at most 200 characters.', { param: 'agent' }),
      );
      return undefined;
    }
    if (access.type === 'agent' && agent !== access.agentId) {
      fail(request, reply, otherAgent(access.agentId));
      return undefined;
    }
    const query = parseAgentQuery(request.query as Record<string, unknown>, extra);
    if (query.type === 'rejected') {
      fail(request, reply, query.error);
      return undefined;
    }
    return { access, tenantId: query.tenantId, agent, values: query.values };
  }

  /** An agent unknown here is new, or quiet for long: neutral, with nothing to score. */
  const known = (tenantId: string, agent: string): AgentAnalytics =>
    analytics.agent(tenantId, agent) ?? {
      tenantId,
      actor: agent,
      lastActiveAt: 0,
      decisionsKnown: 0,
      reputation: {
        score: 0.5,
        status: 'neutral',
        reviewed: 0,
        approved: 0,
        denied: 0,
        low: false,
        reliability: 1,
      },
      anomaly: { status: 'no_baseline', score: 0, windowDecisions: 0 },
      anomalyFactor: 1,
      baseline: undefined,
    };

  app.get('/v1/analytics/reputation', async (request, reply) => {
    const access = await accessOf(request, reply);
    if (access === undefined) return reply;
    const parsed = parseReputationQuery(request.query as Record<string, unknown>);
    if (parsed.type === 'rejected') return fail(request, reply, parsed.error);
    const { tenantId, sort, limit } = parsed.query;
    const threshold = parsed.query.threshold ?? thresholds.reputationLow;
    let agents = analytics
      .agents(tenantId)
      .filter((agent) => access.type === 'operator' || agent.actor === access.agentId);
    if (sort === 'problematic')
      agents = agents
        .filter((agent) => agent.reputation.status === 'scored' && agent.reputation.score < threshold)
        .sort((first, second) => first.reputation.score - second.reputation.score);
    else agents = [...agents].sort((first, second) => second.reputation.score - first.reputation.score);
    const page = agents.slice(0, limit);
    return reply.send({
      agents: page.map((agent) => reputationView(agent, thresholds)),
      total: page.length,
      sort,
      ...(sort === 'problematic' ? { threshold } : {}),
    });
  });

  app.get('/v1/analytics/reputation/:agent', async (request: AgentRequest, reply) => {
    const route = await agentRoute(request, reply);
    if (route === undefined) return reply;
    return reply.send(reputationView(known(route.tenantId, route.agent), thresholds));
  });

  app.get('/v1/analytics/anomalies/:agent', async (request: AgentRequest, reply) => {
    const route = await agentRoute(request, reply, ['since']);
    if (route === undefined) return reply;
    const since = parseSince(route.values.since);
    if (since === null)
      return fail(
        request,
        reply,
        new GatewayError('invalid_request', '"since" must be an RFC 3339 time.', { param: 'since' }),
      );
    // Lelu's default: the last 24 hours of anomalies.
    const from = since ?? Date.now() - 86_400_000;
    const anomalies = await analytics.listAlerts({
      statuses: ['active', 'acknowledged', 'resolved'],
      tenantId: route.tenantId,
      agent: route.agent,
      kind: 'anomaly_high',
      since: from,
      limit: 100,
    });
    return reply.send({
      ...anomalyView(known(route.tenantId, route.agent), thresholds),
      anomalies: anomalies.map(alertView),
      total: anomalies.length,
      since: new Date(from).toISOString(),
    });
  });

  app.get('/v1/analytics/baseline/:agent', async (request: AgentRequest, reply) => {
    const route = await agentRoute(request, reply);
    if (route === undefined) return reply;
    const agent = known(route.tenantId, route.agent);
    return reply.send({
      agent_id: agent.actor,
      tenant_id: agent.tenantId,
      enabled: thresholds.anomalyEnabled,
      baseline: agent.baseline === undefined ? null : baselineView(agent.baseline, thresholds),
      health: {
        status: agent.baseline === undefined ? 'collecting' : 'established',
        decisions_known: agent.decisionsKnown,
        sample_size: thresholds.baselineSampleSize,
      },
    });
  });

  app.post('/v1/analytics/baseline/:agent/refresh', async (request: AgentRequest, reply) => {
    const route = await agentRoute(request, reply);
    if (route === undefined) return reply;
    if (route.access.type === 'agent') return fail(request, reply, agentMayNotChange);
    if (!thresholds.anomalyEnabled) return fail(request, reply, anomalyOff);
    const outcome = await analytics.refreshBaseline(route.tenantId, route.agent);
    switch (outcome.type) {
      case 'refreshed':
        return reply.send({
          agent_id: route.agent,
          tenant_id: route.tenantId,
          status: 'baseline refreshed successfully',
          baseline:
            outcome.agent.baseline === undefined ? null : baselineView(outcome.agent.baseline, thresholds),
        });
      case 'too_few':
        return fail(
          request,
          reply,
          new GatewayError(
            'conflict',
            `Agent ${JSON.stringify(route.agent)} has ${outcome.known} decisions known here; a baseline is made of ${outcome.needed} (BASELINE_SAMPLE_SIZE).`,
          ),
        );
      case 'unknown':
        return fail(
          request,
          reply,
          new GatewayError(
            'not_found',
            `No decisions of agent ${JSON.stringify(route.agent)} in tenant ${JSON.stringify(route.tenantId)} are known.`,
            {
              param: 'agent',
            },
          ),
        );
      default: {
        const unknown: never = outcome;
        throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
      }
    }
  });

  app.get('/v1/analytics/policies', async (request, reply) => {
    const access = await accessOf(request, reply);
    if (access === undefined) return reply;
    if (access.type === 'agent') return fail(request, reply, notOperator);
    const parsed = parseAgentQuery(request.query as Record<string, unknown>);
    if (parsed.type === 'rejected') return fail(request, reply, parsed.error);
    const policies = [...analytics.policies()].sort((first, second) =>
      first.policyId.localeCompare(second.policyId),
    );
    return reply.send({
      policies: policies.map((policy) => policyView(policy, thresholds)),
      total: policies.length,
    });
  });

  registerAlertRoutes(app, dependencies);
}
