import { performance } from 'node:perf_hooks';
import { cacheScope, type AnswerRecorder, type ResponseCaching } from '../caching/index.js';
import type { DialectCodec, Validation } from '../dialects/codec.js';
import { maximumModelNameLength } from '../dialects/index.js';
import { normalizeError, type GatewayError } from '../errors/index.js';
import { mayUseModel, modelNotAllowedError } from '../keys/index.js';
import type { Dialect, Usage } from '../llm/index.js';
import type { LimitDecision, LimitLease, Limiter } from '../limits/index.js';
import type { RouteOutcome, Router, StreamSummary } from '../routing/index.js';
import {
  createAttemptTracer,
  endRequestSpan,
  genAiRequestAttributes,
  noopSpan,
  type DescribeProvider,
  type Metrics,
  type TraceSpan,
  type Tracing,
} from '../telemetry/index.js';
import { createAccountStage, type Accounting } from './account-stage.js';
import type { Authenticator } from './authenticate.js';
import type { CacheResult, Principal, RequestContext, ResponseMeta } from './context.js';
import { forwardHeaders } from './forward-headers.js';
import { limitRequestFor, type TargetsOf } from './limit-stage.js';
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
  readonly caching: ResponseCaching | undefined;
  readonly accounting: Accounting;
  readonly targetsOf: TargetsOf;
  readonly router: Router;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly validateEmbeddings: (body: Record<string, unknown>) => Validation;
  readonly requestLog: RequestLogger;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  /** A configured provider's type and address, for the attributes of upstream attempt spans. */
  readonly describeProvider?: DescribeProvider;
}

export type Authentication = { ok: true; principal: Principal } | { ok: false; error: GatewayError };

export interface Pipeline {
  /**
   * Runs the request's stages; `finished` must be called once the response has been written.
   * `authentication` is the caller's, when the HTTP layer checked the key already (before it read
   * the body); without it the key is checked here.
   */
  handle(
    context: RequestContext,
    authentication?: Authentication,
  ): Promise<{ result: PipelineResult; finished: (status: number) => void }>;
  /** Resolves once every request's accounting has been recorded (graceful shutdown). */
  drain(): Promise<void>;
  authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication>;
}

type Handled = { result: PipelineResult; finished: (status: number) => void };

const noMeta: ResponseMeta = {
  provider: undefined,
  model: undefined,
  attempts: 0,
  cache: 'bypass',
  overheadMs: 0,
  rateLimitHeaders: {},
};

/** What `finish` needs to account, record and log one request. */
interface Completion {
  readonly principal: Principal;
  readonly model: string;
  readonly meta: ResponseMeta;
  readonly status: number;
  readonly usage: Usage | undefined;
  readonly error: GatewayError | undefined;
  readonly lease: LimitLease | undefined;
  readonly streamComplete?: boolean;
  readonly savedCostUsd?: number;
  /** The request reached routing (or the cache): only then is it accounted. */
  readonly accounted: boolean;
  readonly outputText?: string;
}

/**
 * The request lifecycle. Stages run in a fixed order — authenticate, validate, authorize the model,
 * limit (rates, concurrency, budget), [guard, policy: M2], cache, route, account, log — and each
 * returns a value; the first that rejects ends the request. Every request that passed the limits
 * is accounted, answered or not, and settles its lease.
 */
export function createPipeline(dependencies: PipelineDependencies): Pipeline {
  const { authenticator, limiter, accounting, router, codecs, requestLog, metrics, tracing } = dependencies;
  const accountStage = createAccountStage(accounting);
  /**
   * Requests between their start and their last record (usage, metrics, log), each with the
   * function that marks it done. Shutdown waits for them so that no usage record arrives after the
   * usage writer closed, streams cut by the drain timeout included.
   */
  const inFlight = new Map<RequestContext, () => void>();

  function toAuthentication(result: Awaited<ReturnType<Authenticator['authenticate']>>): Authentication {
    return result.type === 'authenticated'
      ? { ok: true, principal: result.principal }
      : { ok: false, error: result.error };
  }

  function authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication> {
    const result = authenticator.authenticate(context.headers);
    return result instanceof Promise ? result.then(toAuthentication) : toAuthentication(result);
  }

  /**
   * The one owner of what a request takes on its way in (its in-flight entry, its span, its limit
   * lease): whatever the stages do, throws included, the caller gets a result whose `finished`
   * gives all of it back, once. A stage that throws becomes an `internal_error` answer in the
   * caller's dialect, and the lease it held is settled as if nothing was used.
   */
  async function handle(context: RequestContext, authentication?: Authentication): Promise<Handled> {
    inFlight.set(context, () => inFlight.delete(context));
    const held: Held = { span: noopSpan, principal: undefined, lease: undefined };
    let handled: Handled;
    try {
      handled = await run(context, held, authentication);
    } catch (error) {
      handled = rejected(context, held.span, normalizeError(error), noMeta, held.principal, held.lease);
    }
    return { result: handled.result, finished: once(handled.finished) };
  }

  async function run(context: RequestContext, held: Held, authentication?: Authentication): Promise<Handled> {
    const requestModel = loggedModel(context.body);
    // With tracing off, no span and none of its attributes are built.
    const span = tracing.enabled
      ? tracing.startRequestSpan(context.headers, {
          operation: context.operation,
          requestModel,
          startTime: context.receivedAt,
          attributes: { 'gatehouse.request_id': context.requestId, ...genAiRequestAttributes(context.body) },
        })
      : noopSpan;
    held.span = span;
    const reject = (error: GatewayError, principal?: Principal, meta = noMeta): Handled =>
      rejected(context, span, error, meta, principal);

    const authenticated = authentication ?? (await authenticate(context));
    if (!authenticated.ok) return reject(authenticated.error);
    const principal = authenticated.principal;
    held.principal = principal;

    const validation =
      context.operation === 'chat'
        ? codecs[context.dialect].validateChatRequest(context.body)
        : dependencies.validateEmbeddings(context.body);
    if (!validation.ok) return reject(validation.error, principal);
    const model = context.body.model as string;
    if (!mayUseModel(principal, model)) return reject(modelNotAllowedError(model), principal);

    const decision = await limit(context, span, principal, model);
    if (decision.type === 'rejected') {
      if (decision.limit === 'budget') metrics.budgetExceeded(principal.team === undefined ? 'key' : 'team');
      else metrics.rateLimited(decision.limit);
      return reject(decision.error, principal, { ...noMeta, rateLimitHeaders: decision.headers });
    }
    const lease = settleOnce(decision.lease);
    held.lease = lease;
    if (decision.budget !== undefined) metrics.budgetUsed(decision.budget.scope, decision.budget.usedRatio);
    const base: ResponseMeta = { ...noMeta, rateLimitHeaders: decision.headers };

    let cache: CacheResult = 'bypass';
    let recorder: AnswerRecorder | undefined;
    if (context.operation === 'chat' && dependencies.caching !== undefined) {
      const cacheSpan = tracing.startChildSpan(span, 'gatehouse.cache');
      const cached = await dependencies.caching.begin({
        dialect: context.dialect,
        scope: cacheScope(principal),
        headers: context.headers,
        body: context.body,
        signal: context.signal,
      });
      cacheSpan.setAttributes({ 'gatehouse.cache': cached.type === 'reject' ? 'reject' : cached.result });
      cacheSpan.end();
      switch (cached.type) {
        case 'reject':
          lease.settle({ tokens: 0, costUsd: 0 }).catch(() => undefined);
          return reject(cached.error, principal, base);
        case 'hit': {
          const meta: ResponseMeta = {
            ...base,
            model: cached.answeredBy.model,
            cache: 'hit',
            overheadMs: performance.now() - context.receivedAt,
          };
          const savedCostUsd =
            cached.usage === undefined
              ? 0
              : accounting.costs.costOf(cached.answeredBy.provider, cached.answeredBy.model, cached.usage);
          const result: PipelineResult =
            cached.response.type === 'json'
              ? { type: 'json', body: cached.response.body, meta }
              : { type: 'stream', frames: cached.response.frames, meta };
          return {
            result,
            finished: (status) => {
              finish(context, span, {
                principal,
                model,
                meta,
                status,
                usage: cached.usage,
                error: undefined,
                lease,
                savedCostUsd,
                accounted: true,
                ...(cached.response.type === 'stream' ? { streamComplete: true } : {}),
              });
            },
          };
        }
        case 'record':
          cache = cached.result;
          recorder = cached.recorder;
          break;
        case 'bypass':
          break;
      }
    }

    const stream = context.operation === 'chat' && context.body.stream === true;
    const routeStart = performance.now();
    const outcome: RouteOutcome = await router.route({
      dialect: context.dialect,
      operation: context.operation,
      model,
      body: context.body,
      stream,
      includeUsage: stream && includeUsage(context.body),
      countPromptTokens: (targetModel) =>
        accounting.tokens.estimatePromptTokens(context.body, context.dialect, targetModel),
      forwardHeaders: tracing.enabled
        ? { ...forwardHeaders(context.headers, context.requestId), ...tracing.injectHeaders(span) }
        : forwardHeaders(context.headers, context.requestId),
      signal: context.signal,
      // With tracing off (or the trace not sampled) there are no attempt spans to make.
      ...(span.isRecording
        ? {
            observer: createAttemptTracer(tracing, span, {
              operation: context.operation,
              ...(dependencies.describeProvider === undefined
                ? {}
                : { describe: dependencies.describeProvider }),
            }),
          }
        : {}),
    });
    const overheadMs = routeStart - context.receivedAt;

    if (outcome.type === 'error') {
      const meta: ResponseMeta = { ...base, attempts: outcome.attempts, overheadMs, cache };
      return {
        result: { type: 'error', error: outcome.error, meta },
        finished: (status) => {
          finish(context, span, {
            principal,
            model,
            meta,
            status,
            usage: undefined,
            error: outcome.error,
            lease,
            accounted: true,
          });
        },
      };
    }
    const meta: ResponseMeta = {
      ...base,
      provider: outcome.answered.provider,
      model: outcome.answered.model,
      attempts: outcome.answered.attempts,
      cache,
      overheadMs,
    };
    if (outcome.type === 'json') {
      if (recorder !== undefined) void recorder.json(outcome.body, outcome.answered);
      return {
        result: { type: 'json', body: outcome.body, meta },
        finished: (status) => {
          finish(context, span, {
            principal,
            model,
            meta,
            status,
            usage: outcome.usage,
            error: undefined,
            lease,
            accounted: true,
          });
        },
      };
    }
    const frames =
      recorder === undefined
        ? outcome.frames
        : recorder.stream(outcome.frames, outcome.summary, outcome.answered).frames;
    return {
      result: { type: 'stream', frames, meta },
      finished: (status) => {
        void outcome.summary.then((summary: StreamSummary) => {
          const recovered = summary.recoveredBy;
          const finalMeta =
            recovered === undefined
              ? meta
              : {
                  ...meta,
                  provider: recovered.provider,
                  model: recovered.model,
                  attempts: recovered.attempts,
                };
          finish(context, span, {
            principal,
            model,
            meta: finalMeta,
            status: summary.error?.code === 'client_closed_request' ? 499 : status,
            usage: summary.usage,
            error: summary.error,
            lease,
            streamComplete: summary.complete,
            accounted: true,
            outputText: summary.outputText,
          });
        });
      },
    };
  }

  async function limit(
    context: RequestContext,
    span: TraceSpan,
    principal: Principal,
    model: string,
  ): Promise<LimitDecision> {
    const limitSpan = tracing.startChildSpan(span, 'gatehouse.limits');
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
        dependencies.targetsOf,
      ),
    );
    limitSpan.setAttributes({ 'gatehouse.limit.decision': decision.type });
    limitSpan.end();
    return decision;
  }

  function finish(context: RequestContext, span: TraceSpan, completion: Completion): void {
    const latencyMs = performance.now() - context.receivedAt;
    if (!completion.accounted) {
      report(context, span, completion, completion.usage, 0);
      return;
    }
    const { principal, model, meta, status, error } = completion;
    void accountStage
      .account(
        {
          context,
          principal,
          model,
          meta,
          status,
          usage: completion.usage,
          error,
          latencyMs,
          savedCostUsd: completion.savedCostUsd ?? 0,
          outputText: completion.outputText,
        },
        completion.lease,
      )
      .then(({ costUsd, usage }) => report(context, span, completion, usage, costUsd));
  }

  /** Metrics, the request span and the log line: the request's figures, once they are known. */
  function report(
    context: RequestContext,
    span: TraceSpan,
    completion: Completion,
    usage: Usage | undefined,
    costUsd: number,
  ): void {
    const { principal, model, meta, status, error } = completion;
    metrics.requestRecord({
      keyId: principal.keyId,
      model,
      provider: meta.provider,
      usage,
      costUsd,
      attempts: meta.attempts,
      ...(completion.accounted ? { overheadMs: meta.overheadMs } : {}),
    });
    endRequestSpan(span, {
      status,
      errorCode: error?.code,
      keyId: principal.keyId,
      provider: meta.provider,
      providerType: meta.provider === undefined ? undefined : accounting.providerType(meta.provider),
      responseModel: meta.model,
      usage,
      costUsd,
      attempts: meta.attempts,
      cache: meta.cache,
    });
    requestLog.log({
      context,
      principal,
      model,
      meta,
      status,
      usage,
      error,
      costUsd,
      ...(completion.streamComplete === undefined ? {} : { streamComplete: completion.streamComplete }),
    });
    inFlight.get(context)?.();
  }

  /**
   * A request refused before it reached the cache or routing: logged and traced, not accounted.
   * With a lease (it failed after admission) it is accounted, which settles the lease.
   */
  function rejected(
    context: RequestContext,
    span: TraceSpan,
    error: GatewayError,
    meta: ResponseMeta,
    principal: Principal | undefined,
    lease?: LimitLease,
  ): Handled {
    return {
      result: { type: 'error', error, meta },
      finished: (status) => {
        if (principal !== undefined) {
          const model = loggedModel(context.body) ?? '';
          finish(context, span, {
            principal,
            model,
            meta,
            status,
            usage: undefined,
            error,
            lease,
            accounted: lease !== undefined,
          });
          return;
        }
        endRequestSpan(span, { status, errorCode: error.code });
        const model = loggedModel(context.body);
        requestLog.log({ context, principal, model, meta, status, usage: undefined, error, costUsd: 0 });
        inFlight.get(context)?.();
      },
    };
  }

  /** Waits until every request has written its records (at most `limitMs`), then for token counts. */
  async function drain(limitMs = 5_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (inFlight.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await accountStage.drain();
  }

  return { handle, authenticate, drain: () => drain() };
}

/**
 * The requested model as a log line, a span or a usage record may carry it before (or after)
 * validation refused it: never more than a valid name's length, so a caller's megabyte-long name
 * is not written out whole.
 */
function loggedModel(body: Readonly<Record<string, unknown>>): string | undefined {
  const model = body.model;
  if (typeof model !== 'string') return undefined;
  return model.length <= maximumModelNameLength ? model : `${model.slice(0, maximumModelNameLength)}…`;
}

/** What a request has taken so far, for `handle` to give back if a later stage throws. */
interface Held {
  span: TraceSpan;
  principal: Principal | undefined;
  lease: LimitLease | undefined;
}

/** A lease whose second settlement is a no-op: a request gives its share back exactly once. */
function settleOnce(lease: LimitLease): LimitLease {
  let settled: Promise<void> | undefined;
  return { settle: (actual) => (settled ??= lease.settle(actual)) };
}

function once(finished: (status: number) => void): (status: number) => void {
  let called = false;
  return (status) => {
    if (called) return;
    called = true;
    finished(status);
  };
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
