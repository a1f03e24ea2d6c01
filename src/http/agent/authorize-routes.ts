import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import { GatewayError } from '../../errors/index.js';
import { earlyAuthenticationBy } from '../early-authentication.js';
import { renderError } from '../render-error.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What the authorize routes need from governance and the keys, declared structurally so http/
 * imports no feature module (governance's Authorizer and the key service satisfy them).
 */
export type AuthorizeOperationOutcome =
  | { readonly type: 'answered'; readonly answer: object }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface AuthorizeOperations<Grant = unknown> {
  authorizeAgent(call: {
    readonly body: unknown;
    readonly headers: Headers;
    readonly boundAgent: string | undefined;
    readonly grant?: Grant | undefined;
  }): Promise<AuthorizeOperationOutcome>;
  authorizeUser(call: {
    readonly body: unknown;
    readonly headers: Headers;
  }): Promise<AuthorizeOperationOutcome>;
}

/**
 * Who is asking: the keys module's Principal carries these. A caller that presented a delegation
 * grant as its credential carries it too (its `agentId` is then the grant's holder); the routes
 * pass it to governance untouched.
 */
export interface AuthorizeCaller<Grant = unknown> {
  readonly role: 'user' | 'admin' | 'reviewer';
  readonly agentId: string | undefined;
  readonly grant?: Grant | undefined;
}

export type AuthorizeAuthentication<Grant = unknown> =
  | { readonly type: 'authenticated'; readonly principal: AuthorizeCaller<Grant> }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface AuthorizeCallers<Grant = unknown> {
  authenticate(headers: Headers): AuthorizeAuthentication<Grant> | Promise<AuthorizeAuthentication<Grant>>;
}

export interface AuthorizeRoutesDependencies<Grant = unknown> {
  readonly authorizer: AuthorizeOperations<Grant>;
  readonly keys: AuthorizeCallers<Grant>;
  /** Errors are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
}

type Caller = { readonly type: 'caller'; readonly boundAgent: string | undefined } | GatewayError;

const unboundKey = new GatewayError(
  'permission_denied',
  'This API key may not ask for agent authorization: it needs the admin role, or to be bound to an agent (agent_id).',
);
const notAdmin = new GatewayError(
  'permission_denied',
  'This API key may not use POST /v1/authorize (a check about people); it needs the admin role.',
);

/**
 * A key bound to an agent (`agent_id`) may ask only about that agent, whatever its role; the
 * master key and unbound admin keys may ask about any agent; any other key is refused.
 */
export function agentCaller(principal: AuthorizeCaller): Caller {
  if (principal.agentId !== undefined) return { type: 'caller', boundAgent: principal.agentId };
  return principal.role === 'admin' ? { type: 'caller', boundAgent: undefined } : unboundKey;
}

/**
 * `POST /v1/agent/authorize` (may this agent do this now?) and `POST /v1/authorize` (Lelu's human
 * RBAC check, for the master key and admin keys). Answers are 200 whatever the decision (Lelu's
 * contract: a deny is an answer, not an error); refusals (400, 401, 403, 429) are errors in the
 * gateway's one JSON shape, and nothing is decided for them.
 */
export function registerAuthorizeRoutes<Grant>(
  app: FastifyInstance,
  dependencies: AuthorizeRoutesDependencies<Grant>,
): void {
  const { authorizer, keys, codec } = dependencies;
  // Checked before the body is read, by the same callers the handlers ask (grants included).
  const config = { earlyAuthentication: earlyAuthenticationBy(keys) };
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  async function callerOf(
    request: FastifyRequest,
  ): Promise<{ readonly boundAgent: string | undefined; readonly grant: Grant | undefined } | GatewayError> {
    const authenticated = await keys.authenticate(request.headers);
    if (authenticated.type === 'rejected') return authenticated.error;
    const caller = agentCaller(authenticated.principal);
    if (caller instanceof GatewayError) return caller;
    return { boundAgent: caller.boundAgent, grant: authenticated.principal.grant };
  }

  function answer(request: FastifyRequest, reply: FastifyReply, outcome: AuthorizeOperationOutcome) {
    return outcome.type === 'answered' ? reply.send(outcome.answer) : fail(request, reply, outcome.error);
  }

  app.post('/v1/agent/authorize', { config }, async (request, reply) => {
    const caller = await callerOf(request);
    if (caller instanceof GatewayError) return fail(request, reply, caller);
    const { body, headers } = request;
    return answer(
      request,
      reply,
      await authorizer.authorizeAgent({ body, headers, boundAgent: caller.boundAgent, grant: caller.grant }),
    );
  });

  app.post('/v1/authorize', { config }, async (request, reply) => {
    const authenticated = await keys.authenticate(request.headers);
    if (authenticated.type === 'rejected') return fail(request, reply, authenticated.error);
    const { principal } = authenticated;
    if (principal.role !== 'admin' || principal.agentId !== undefined) return fail(request, reply, notAdmin);
    return answer(
      request,
      reply,
      await authorizer.authorizeUser({ body: request.body, headers: request.headers }),
    );
  });
}
