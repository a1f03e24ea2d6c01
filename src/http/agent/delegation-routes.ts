import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../../dialects/codec.js';
import type { GatewayError } from '../../errors/index.js';
import { earlyAuthenticationBy } from '../early-authentication.js';
import { renderError } from '../render-error.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What the delegation routes need, declared structurally so http/ imports no feature module
 * (governance's delegation service and the composition root's callers satisfy it). `Caller` is
 * whoever presented a credential (a key or a grant); the routes pass it on untouched.
 */
export type DelegationRouteOutcome =
  | { readonly type: 'granted'; readonly answer: object }
  /** Lelu's 403 answer `{allowed: false, reason, trace_id}`: an answer, not an error. */
  | { readonly type: 'refused'; readonly answer: object }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface DelegationOperations<Caller> {
  delegate(call: {
    readonly body: unknown;
    readonly headers: Headers;
    readonly caller: Caller;
  }): Promise<DelegationRouteOutcome>;
  mint(call: {
    readonly body: unknown;
    readonly headers: Headers;
    readonly caller: Caller;
  }): Promise<DelegationRouteOutcome>;
  revoke(call: {
    readonly tokenId: string;
    readonly caller: Caller;
  }): Promise<
    | { readonly type: 'revoked'; readonly answer: object }
    | { readonly type: 'rejected'; readonly error: GatewayError }
  >;
}

export type DelegationAuthentication<Caller> =
  | { readonly type: 'authenticated'; readonly caller: Caller }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface DelegationCallers<Caller> {
  authenticate(
    headers: Headers,
  ): DelegationAuthentication<Caller> | Promise<DelegationAuthentication<Caller>>;
}

export interface DelegationRoutesDependencies<Caller> {
  readonly delegation: DelegationOperations<Caller>;
  readonly callers: DelegationCallers<Caller>;
  /** Errors are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
}

/**
 * `POST /v1/agent/delegate`, `POST /v1/tokens/mint` and `DELETE /v1/tokens/{id}` (Lelu's routes).
 * A grant is answered 200; a delegation the rules refuse is Lelu's 403 answer; a caller without a
 * usable credential (401), without the right to ask (403) or with bad input (400) gets the
 * gateway's error shape, and nothing is granted for it.
 */
export function registerDelegationRoutes<Caller>(
  app: FastifyInstance,
  dependencies: DelegationRoutesDependencies<Caller>,
): void {
  const { delegation, callers, codec } = dependencies;
  const config = { earlyAuthentication: earlyAuthenticationBy(callers) };
  const fail = (request: FastifyRequest, reply: FastifyReply, error: GatewayError) =>
    renderError(reply, codec, error, request.id);

  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    operation: (caller: Caller) => Promise<DelegationRouteOutcome>,
  ): Promise<FastifyReply> {
    const authenticated = await callers.authenticate(request.headers);
    if (authenticated.type === 'rejected') return fail(request, reply, authenticated.error);
    const outcome = await operation(authenticated.caller);
    switch (outcome.type) {
      case 'granted':
        return reply.send(outcome.answer);
      case 'refused':
        return reply.code(403).send(outcome.answer);
      case 'rejected':
        return fail(request, reply, outcome.error);
    }
  }

  app.post('/v1/agent/delegate', { config }, (request, reply) =>
    answer(request, reply, (caller) =>
      delegation.delegate({ body: request.body, headers: request.headers, caller }),
    ),
  );

  app.post('/v1/tokens/mint', { config }, (request, reply) =>
    answer(request, reply, (caller) =>
      delegation.mint({ body: request.body, headers: request.headers, caller }),
    ),
  );

  app.delete(
    '/v1/tokens/:id',
    { config },
    async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
      const authenticated = await callers.authenticate(request.headers);
      if (authenticated.type === 'rejected') return fail(request, reply, authenticated.error);
      const outcome = await delegation.revoke({ tokenId: request.params.id, caller: authenticated.caller });
      return outcome.type === 'revoked' ? reply.send(outcome.answer) : fail(request, reply, outcome.error);
    },
  );
}
