import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import { agentMayNotChange, analyticsAccessOf, otherAgent } from './analytics-access.js';
import { alertView, parseAlertBody, parseAlertQuery } from './analytics-bodies.js';
import type { AlertChangeOutcome, AnalyticsRoutesDependencies } from './analytics-operations.js';

type AlertRequest = FastifyRequest<{ Params: { id: string } }>;

/**
 * `GET /v1/analytics/alerts` and `POST /v1/analytics/alerts/{id}/acknowledge|resolve`: read from
 * and written to the database, so every replica lists the same alerts and each change happens
 * once (409 with the alert as it stands when it already happened).
 */
export function registerAlertRoutes(app: FastifyInstance, dependencies: AnalyticsRoutesDependencies): void {
  const { analytics, keys, codec } = dependencies;
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);
  const accessOf = (request: FastifyRequest, reply: FastifyReply) =>
    analyticsAccessOf(keys, codec, request, reply);

  app.get('/v1/analytics/alerts', async (request, reply) => {
    const access = await accessOf(request, reply);
    if (access === undefined) return reply;
    const parsed = parseAlertQuery(request.query as Record<string, unknown>);
    if (parsed.type === 'rejected') return fail(request, reply, parsed.error);
    let { query } = parsed;
    if (access.type === 'agent') {
      if (query.agent !== undefined && query.agent !== access.agentId)
        return fail(request, reply, otherAgent(access.agentId));
      query = { ...query, agent: access.agentId };
    }
    const alerts = await analytics.listAlerts(query);
    return reply.send({ alerts: alerts.map(alertView), total: alerts.length });
  });

  for (const [verb, status, field] of [
    ['acknowledge', 'acknowledged', 'acknowledged_by'],
    ['resolve', 'resolved', 'resolved_by'],
  ] as const) {
    app.post(`/v1/analytics/alerts/:id/${verb}`, async (request: AlertRequest, reply) => {
      const access = await accessOf(request, reply);
      if (access === undefined) return reply;
      if (access.type === 'agent') return fail(request, reply, agentMayNotChange);
      const body = parseAlertBody(request.body, field);
      if (body.type === 'rejected') return fail(request, reply, body.error);
      const { id } = request.params;
      const by = body.by ?? access.keyId;
      const outcome: AlertChangeOutcome =
        id.length > 200
          ? { type: 'not_found' }
          : verb === 'acknowledge'
            ? await analytics.acknowledgeAlert(id, by)
            : await analytics.resolveAlert(id, by, body.note);
      switch (outcome.type) {
        case 'changed':
          return reply.send({ alert_id: id, status, alert: alertView(outcome.alert) });
        case 'conflict': {
          const error = new GatewayError(
            'conflict',
            `Alert ${id} is ${outcome.alert.status}; ${verb === 'acknowledge' ? 'only an active alert is acknowledged' : 'an alert is resolved once'}.`,
          );
          return reply
            .code(error.status)
            .header('content-type', 'application/json')
            .send({ ...codec.encodeError(error, request.id), alert: alertView(outcome.alert) });
        }
        case 'not_found':
          return fail(
            request,
            reply,
            new GatewayError('not_found', `No alert ${JSON.stringify(id)}.`, { param: 'id' }),
          );
        default: {
          const unknown: never = outcome;
          throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
        }
      }
    });
  }
}
