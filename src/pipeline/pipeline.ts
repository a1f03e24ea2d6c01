import { performance } from 'node:perf_hooks';
import type { DialectCodec, Validation } from '../dialects/codec.js';
import type { GatewayError } from '../errors/index.js';
import type { Dialect, Usage } from '../llm/index.js';
import type { RouteOutcome, Router, StreamSummary } from '../routing/index.js';
import type { Authenticator } from './authenticate.js';
import type { Principal, RequestContext, ResponseMeta } from './context.js';
import { forwardHeaders } from './forward-headers.js';
import type { RequestLogger } from './request-log.js';

export type PipelineResult =
  | { readonly type: 'error'; readonly error: GatewayError; readonly meta: ResponseMeta }
  | { readonly type: 'json'; readonly body: Buffer; readonly meta: ResponseMeta }
  | { readonly type: 'stream'; readonly frames: AsyncIterable<Uint8Array | string>; readonly meta: ResponseMeta };

export interface PipelineDependencies {
  readonly authenticator: Authenticator;
  readonly router: Router;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly validateEmbeddings: (body: Record<string, unknown>) => Validation;
  readonly requestLog: RequestLogger;
}

export interface Pipeline {
  /** Runs the request's stages; `finished` must be called once the response has been written. */
  handle(context: RequestContext): Promise<{ result: PipelineResult; finished: (status: number) => void }>;
  authenticate(context: Pick<RequestContext, 'headers'>): { ok: true; principal: Principal } | { ok: false; error: GatewayError };
}

/**
 * The request lifecycle. Stages run in a fixed order — authenticate, validate, (limit, guard,
 * authorize, cache: later milestones), route, account, log — and each returns a value; the first
 * that rejects ends the request.
 */
export function createPipeline(dependencies: PipelineDependencies): Pipeline {
  const { authenticator, router, codecs, requestLog } = dependencies;

  function authenticate(context: Pick<RequestContext, 'headers'>) {
    const result = authenticator.authenticate(context.headers);
    return result.type === 'authenticated'
      ? ({ ok: true, principal: result.principal } as const)
      : ({ ok: false, error: result.error } as const);
  }

  async function handle(context: RequestContext) {
    const none: ResponseMeta = { provider: undefined, model: undefined, attempts: 0, cache: 'bypass', overheadMs: 0 };
    const authenticated = authenticate(context);
    if (!authenticated.ok) return reject(context, undefined, authenticated.error, none);
    const principal = authenticated.principal;

    const validation =
      context.operation === 'chat'
        ? codecs[context.dialect].validateChatRequest(context.body)
        : dependencies.validateEmbeddings(context.body);
    if (!validation.ok) return reject(context, principal, validation.error, none);

    const model = context.body.model as string;
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
      return reject(context, principal, outcome.error, { ...none, attempts: outcome.attempts, overheadMs });
    }
    const meta: ResponseMeta = {
      provider: outcome.answered.provider,
      model: outcome.answered.model,
      attempts: outcome.answered.attempts,
      cache: 'bypass',
      overheadMs,
    };
    if (outcome.type === 'json') {
      return {
        result: { type: 'json', body: outcome.body, meta } as const,
        finished: (status: number) => {
          requestLog.log({ context, principal, model, meta, status, usage: outcome.usage, error: undefined });
        },
      };
    }
    return {
      result: { type: 'stream', frames: outcome.frames, meta } as const,
      finished: (status: number) => {
        void outcome.summary.then((summary: StreamSummary) => {
          requestLog.log({
            context,
            principal,
            model,
            meta,
            status,
            usage: summary.usage,
            error: summary.error,
            streamComplete: summary.complete,
          });
        });
      },
    };
  }

  function reject(context: RequestContext, principal: Principal | undefined, error: GatewayError, meta: ResponseMeta) {
    const model = typeof context.body.model === 'string' ? context.body.model : undefined;
    return Promise.resolve({
      result: { type: 'error', error, meta } as const,
      finished: (status: number) => {
        requestLog.log({ context, principal, model, meta, status, usage: undefined as Usage | undefined, error });
      },
    });
  }

  return { handle, authenticate };
}

function includeUsage(body: Record<string, unknown>): boolean {
  const options = body.stream_options;
  return typeof options === 'object' && options !== null && 'include_usage' in options && options.include_usage === true;
}
