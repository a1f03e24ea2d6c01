import { performance } from 'node:perf_hooks';
import type { DialectCodec, Validation } from '../dialects/codec.js';
import type { GatewayError } from '../errors/index.js';
import { mayUseModel, modelNotAllowedError } from '../keys/index.js';
import type { Dialect, Usage } from '../llm/index.js';
import type { LimitLease, Limiter, RateLimitHeaders } from '../limits/index.js';
import type { RouteOutcome, Router, StreamSummary } from '../routing/index.js';
import { account, type Accounting } from './account-stage.js';
import type { Authenticator } from './authenticate.js';
import type { Principal, RequestContext, ResponseMeta } from './context.js';
import { forwardHeaders } from './forward-headers.js';
import { limitRequestFor, type PrimaryTarget } from './limit-stage.js';
import type { RequestLogger } from './request-log.js';

export type PipelineResult =
  | { readonly type: 'error'; readonly error: GatewayError; readonly meta: ResponseMeta }
  | { readonly type: 'json'; readonly body: Buffer; readonly meta: ResponseMeta }
  | {
      readonly type: 'stream';
      readonly frames: AsyncIterable<Uint8Array | string>;
      readonly meta: ResponseMeta;
    };

export interface PipelineDependencies {
  readonly authenticator: Authenticator;
  readonly limiter: Limiter;
  readonly accounting: Accounting;
  readonly primaryTarget: PrimaryTarget;
  readonly router: Router;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly validateEmbeddings: (body: Record<string, unknown>) => Validation;
  readonly requestLog: RequestLogger;
}

export type Authentication = { ok: true; principal: Principal } | { ok: false; error: GatewayError };

export interface Pipeline {
  /** Runs the request's stages; `finished` must be called once the response has been written. */
  handle(context: RequestContext): Promise<{ result: PipelineResult; finished: (status: number) => void }>;
  authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication>;
}

const noMeta: ResponseMeta = {
  provider: undefined,
  model: undefined,
  attempts: 0,
  cache: 'bypass',
  overheadMs: 0,
  rateLimitHeaders: {},
};

/**
 * The request lifecycle. Stages run in a fixed order — authenticate, validate, authorize the model,
 * limit (rates, concurrency, budget), [guard, policy: M2], [cache], route, account, log — and each
 * returns a value; the first that rejects ends the request. Every request that passed
 * authentication is accounted, answered or not.
 */
export function createPipeline(dependencies: PipelineDependencies): Pipeline {
  const { authenticator, limiter, accounting, router, codecs, requestLog } = dependencies;

  function toAuthentication(result: Awaited<ReturnType<Authenticator['authenticate']>>): Authentication {
    return result.type === 'authenticated'
      ? { ok: true, principal: result.principal }
      : { ok: false, error: result.error };
  }

  function authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication> {
    const result = authenticator.authenticate(context.headers);
    return result instanceof Promise ? result.then(toAuthentication) : toAuthentication(result);
  }

  async function handle(context: RequestContext) {
    const authenticated = await authenticate(context);
    if (!authenticated.ok) return reject(context, undefined, authenticated.error, noMeta);
    const principal = authenticated.principal;

    const validation =
      context.operation === 'chat'
        ? codecs[context.dialect].validateChatRequest(context.body)
        : dependencies.validateEmbeddings(context.body);
    if (!validation.ok) return reject(context, principal, validation.error, noMeta);
    const model = context.body.model as string;
    if (!mayUseModel(principal, model))
      return reject(context, principal, modelNotAllowedError(model), noMeta);

    const decision = await limiter.acquire(
      limitRequestFor(
        {
          principal,
          dialect: context.dialect,
          operation: context.operation,
          model,
          body: context.body,
          now: Date.now(),
        },
        accounting.costs,
        dependencies.primaryTarget,
      ),
    );
    if (decision.type === 'rejected') {
      return reject(context, principal, decision.error, { ...noMeta, rateLimitHeaders: decision.headers });
    }
    const lease = decision.lease;

    const stream = context.operation === 'chat' && context.body.stream === true;
    const routeStart = performance.now();
    const outcome: RouteOutcome = await router.route({
      dialect: context.dialect,
      operation: context.operation,
      model,
      body: context.body,
      stream,
      includeUsage: stream && includeUsage(context.body),
      forwardHeaders: forwardHeaders(context.headers, context.requestId),
      signal: context.signal,
    });
    const overheadMs = routeStart - context.receivedAt;

    if (outcome.type === 'error') {
      const meta = { ...noMeta, attempts: outcome.attempts, overheadMs, rateLimitHeaders: decision.headers };
      return reject(context, principal, outcome.error, meta, lease, model);
    }
    const meta: ResponseMeta = {
      provider: outcome.answered.provider,
      model: outcome.answered.model,
      attempts: outcome.answered.attempts,
      cache: 'bypass',
      overheadMs,
      rateLimitHeaders: decision.headers,
    };
    if (outcome.type === 'json') {
      return {
        result: { type: 'json', body: outcome.body, meta } as const,
        finished: (status: number) => {
          finish(context, principal, model, meta, status, outcome.usage, undefined, lease);
        },
      };
    }
    return {
      result: { type: 'stream', frames: outcome.frames, meta } as const,
      finished: (status: number) => {
        void outcome.summary.then((summary: StreamSummary) => {
          const answered = summary.recoveredBy;
          const finalMeta =
            answered === undefined
              ? meta
              : { ...meta, provider: answered.provider, model: answered.model, attempts: answered.attempts };
          const finalStatus = summary.error?.code === 'client_closed_request' ? 499 : status;
          finish(
            context,
            principal,
            model,
            finalMeta,
            finalStatus,
            summary.usage,
            summary.error,
            lease,
            summary.complete,
          );
        });
      },
    };
  }

  function finish(
    context: RequestContext,
    principal: Principal,
    model: string,
    meta: ResponseMeta,
    status: number,
    usage: Usage | undefined,
    error: GatewayError | undefined,
    lease: LimitLease | undefined,
    streamComplete?: boolean,
  ): void {
    const latencyMs = performance.now() - context.receivedAt;
    const costUsd = account(
      accounting,
      { context, principal, model, meta, status, usage, error, latencyMs, savedCostUsd: 0 },
      lease,
    );
    requestLog.log({
      context,
      principal,
      model,
      meta,
      status,
      usage,
      error,
      costUsd,
      ...(streamComplete === undefined ? {} : { streamComplete }),
    });
  }

  function reject(
    context: RequestContext,
    principal: Principal | undefined,
    error: GatewayError,
    meta: ResponseMeta,
    lease?: LimitLease,
    routedModel?: string,
  ) {
    const model = typeof context.body.model === 'string' ? context.body.model : undefined;
    return Promise.resolve({
      result: { type: 'error', error, meta } as const,
      finished: (status: number) => {
        // Requests that reached routing are accounted (as failures); earlier refusals are only logged.
        if (principal !== undefined && routedModel !== undefined) {
          finish(context, principal, routedModel, meta, status, undefined, error, lease);
          return;
        }
        requestLog.log({ context, principal, model, meta, status, usage: undefined, error, costUsd: 0 });
      },
    });
  }

  return { handle, authenticate };
}

function includeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return (
    typeof options === 'object' &&
    options !== null &&
    'include_usage' in options &&
    options.include_usage === true
  );
}

export type { RateLimitHeaders };
