import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { renderError } from '../render-error.js';
import type { QueueCallers } from './queue-routes.js';

/**
 * Who may do what, as on the review queue: an operator (the master key, admin and reviewer keys)
 * reads everything and acknowledges, resolves and refreshes; a key bound to an agent reads its own
 * agent's figures and alerts only, and changes nothing; any other key may do neither.
 */
export type AnalyticsAccess =
  | { readonly type: 'operator'; readonly keyId: string }
  | { readonly type: 'agent'; readonly agentId: string };

export const notOperator = new GatewayError(
  'permission_denied',
  'This API key may not read analytics: it needs the admin or reviewer role, or to be bound to an agent (to read its own figures).',
);
export const agentMayNotChange = new GatewayError(
  'permission_denied',
  'A key bound to an agent may read its own analytics but not acknowledge, resolve or refresh anything; use a reviewer or admin key.',
);

export function otherAgent(agentId: string): GatewayError {
  return new GatewayError(
    'permission_denied',
    `This key is bound to agent ${JSON.stringify(agentId)} and may read only its analytics.`,
    { param: 'agent' },
  );
}

/** What the caller may do, or the refusal: 401 for no key, 403 for a key without a role. */
export async function analyticsAccess(
  keys: QueueCallers,
  headers: FastifyRequest['headers'],
): Promise<AnalyticsAccess | GatewayError> {
  const authenticated = await keys.authenticate(headers);
  if (authenticated.type === 'rejected') return authenticated.error;
  const { principal } = authenticated;
  if (principal.agentId !== undefined) return { type: 'agent', agentId: principal.agentId };
  if (principal.role === 'admin' || principal.role === 'reviewer')
    return { type: 'operator', keyId: principal.keyId };
  return notOperator;
}

/** The caller's access, or undefined once the refusal is sent. */
export async function analyticsAccessOf(
  keys: QueueCallers,
  codec: DialectCodec,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<AnalyticsAccess | undefined> {
  const access = await analyticsAccess(keys, request.headers);
  if (!(access instanceof GatewayError)) return access;
  renderError(reply, codec, access, request.id);
  return undefined;
}
