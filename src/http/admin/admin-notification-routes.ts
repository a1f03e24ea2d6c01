import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/** One channel's answer to a test, as the notifier reports it. */
export interface NotificationTestResult {
  readonly channel: string;
  readonly type: string;
  readonly outcome: 'delivered' | 'failed';
  readonly status: number | undefined;
  readonly reason: string | undefined;
  readonly durationMs: number;
}

/** What the route needs, declared structurally so http/ imports nothing from notifications/. */
export interface NotificationTestOperations {
  test(
    requestedBy: string,
    channelName?: string,
  ): Promise<
    | { readonly type: 'tested'; readonly results: readonly NotificationTestResult[] }
    | { readonly type: 'unknown_channel'; readonly name: string }
  >;
}

/** Who is asking: the keys module's Principal carries these. */
export interface NotificationCaller {
  readonly keyId: string;
  readonly role: 'user' | 'admin' | 'reviewer';
  readonly agentId: string | undefined;
}

type Authentication =
  | { readonly type: 'authenticated'; readonly principal: NotificationCaller }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface NotificationRoutesDependencies {
  readonly notifications: NotificationTestOperations;
  readonly keys: { authenticate(headers: Headers): Authentication | Promise<Authentication> };
  /** Errors are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
  readonly audit: { info(details: Record<string, unknown>, message: string): void };
}

const notAdmin = new GatewayError(
  'permission_denied',
  'This API key may not use the admin API; it needs the admin role.',
);
// A key bound to an agent speaks for that agent, not for an operator, whatever its role.
const agentKey = new GatewayError(
  'permission_denied',
  'A key bound to an agent (agent_id) may not send test notifications; use the master key or an admin key.',
);

/**
 * `POST /admin/notifications/test`: sends a test notification to every configured channel (or, with
 * `{"channel": "<name>"}`, to that one), one try each without queue or retries, and answers with each
 * channel's outcome. For the master key and admin keys not bound to an agent.
 */
export function registerNotificationRoutes(
  app: FastifyInstance,
  dependencies: NotificationRoutesDependencies,
): void {
  const { codec } = dependencies;
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  app.post('/admin/notifications/test', async (request, reply) => {
    const authentication = await dependencies.keys.authenticate(request.headers);
    if (authentication.type === 'rejected') return fail(request, reply, authentication.error);
    const { principal } = authentication;
    if (principal.role !== 'admin') return fail(request, reply, notAdmin);
    if (principal.agentId !== undefined) return fail(request, reply, agentKey);
    const channel = channelOf(request.body);
    if (channel instanceof GatewayError) return fail(request, reply, channel);
    const outcome = await dependencies.notifications.test(principal.keyId, channel);
    if (outcome.type === 'unknown_channel') {
      return fail(
        request,
        reply,
        new GatewayError('not_found', `No notification channel is named ${JSON.stringify(outcome.name)}.`, {
          param: 'channel',
        }),
      );
    }
    const delivered = outcome.results.filter((result) => result.outcome === 'delivered').length;
    dependencies.audit.info(
      {
        request_id: request.id,
        action: 'notifications.test',
        key_id: principal.keyId,
        channel: channel ?? null,
      },
      'admin action',
    );
    return reply.header('cache-control', 'no-store').send({
      object: 'notification_test',
      delivered,
      failed: outcome.results.length - delivered,
      results: outcome.results.map((result) => ({
        channel: result.channel,
        type: result.type,
        outcome: result.outcome,
        status: result.status ?? null,
        reason: result.reason ?? null,
        duration_ms: Math.round(result.durationMs),
      })),
    });
  });
}

/** No body (or `{}`) tests every channel; `{"channel": "<name>"}` one. */
function channelOf(body: unknown): string | undefined | GatewayError {
  if (body === undefined || body === null) return undefined;
  if (typeof body !== 'object' || Array.isArray(body))
    return new GatewayError(
      'invalid_request',
      'The body must be a JSON object: {"channel": "<name>"} or {}.',
    );
  for (const name of Object.keys(body)) {
    if (name !== 'channel')
      return new GatewayError('invalid_request', `Unknown field ${name}: the body takes only channel.`, {
        param: name,
      });
  }
  const channel = (body as { channel?: unknown }).channel;
  if (channel === undefined) return undefined;
  if (typeof channel !== 'string' || channel === '' || channel.length > 64)
    return new GatewayError('invalid_request', 'channel must be a channel name of 1 to 64 characters.', {
      param: 'channel',
    });
  return channel;
}
