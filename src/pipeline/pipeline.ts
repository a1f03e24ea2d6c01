import type { ResponseCaching } from '../caching/index.js';
import type { DialectCodec, Validation } from '../dialects/index.js';
import { normalizeError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { Limiter } from '../limits/index.js';
import type { Router } from '../routing/index.js';
import {
  genAiRequestAttributes,
  noopSpan,
  type DescribeProvider,
  type Metrics,
  type TraceSpan,
  type Tracing,
} from '../telemetry/index.js';
import type { RequestContext } from './context.js';
import { createFinish, loggedModel } from './finish.js';
import { createHandled, type Handled } from './handled.js';
import type { RequestLogger } from './request-log.js';
import { createCall, noMeta, type Answer, type Call } from './stage.js';
import { stageOrder, type StageSlots } from './stage-order.js';
import { createAccountStage, type Accounting } from './stages/account.js';
import { createAuthenticateStage, type Authentication, type Authenticator } from './stages/authenticate.js';
import { authorizeModelStage } from './stages/authorize-model.js';
import { cacheRecordStage } from './stages/cache-record.js';
import { createCacheStage } from './stages/cache.js';
import type { TargetsOf } from './stages/limit-request.js';
import { createLimitStage } from './stages/limit.js';
import { createLogStage } from './stages/log.js';
import { createRouteStage } from './stages/route.js';
import { createValidateStage } from './stages/validate.js';

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
  /** The stages features add, each in its slot of the stage order. */
  readonly stages?: StageSlots;
}

export interface Pipeline {
  /**
   * Runs the request's stages; `finished` must be called once the response has been written.
   * `authentication` is the caller's, when the HTTP layer checked the key already (before it read
   * the body); without it the key is checked here.
   */
  handle(context: RequestContext, authentication?: Authentication): Promise<Handled>;
  /** Resolves once every request's accounting has been recorded (graceful shutdown). */
  drain(): Promise<void>;
  authenticate(context: Pick<RequestContext, 'headers'>): Authentication | Promise<Authentication>;
}

/**
 * The request lifecycle: the stages of `stage-order.ts` run in turn, each returning a value; the
 * first that rejects or responds ends the request, and the answer stages wrap what it responded.
 * Every request that passed the limits is accounted, answered or not, and settles its lease.
 */
export function createPipeline(dependencies: PipelineDependencies): Pipeline {
  const { accounting, metrics, tracing } = dependencies;
  const authenticateStage = createAuthenticateStage(dependencies.authenticator);
  const stages = stageOrder(
    {
      authenticate: authenticateStage,
      validate: createValidateStage(dependencies),
      authorizeModel: authorizeModelStage,
      limit: createLimitStage({ ...dependencies, costs: accounting.costs }),
      cache:
        dependencies.caching === undefined
          ? undefined
          : createCacheStage({ caching: dependencies.caching, costs: accounting.costs, tracing }),
      route: createRouteStage({ ...dependencies, tokens: accounting.tokens }),
      cacheRecord: dependencies.caching === undefined ? undefined : cacheRecordStage,
    },
    dependencies.stages ?? {},
  );
  const accountStage = createAccountStage(accounting);
  /**
   * Requests between their start and their last record (usage, metrics, log). Shutdown waits for
   * them so that no usage record arrives after the usage writer closed, streams cut by the drain
   * timeout included.
   */
  const inFlight = new Set<RequestContext>();
  const finish = createFinish(
    accountStage,
    createLogStage({ metrics, requestLog: dependencies.requestLog, providerType: accounting.providerType }),
    (context) => inFlight.delete(context),
  );
  const { rejected, answered } = createHandled(finish);

  /**
   * The one owner of what a request takes on its way in (its in-flight entry, its span, its limit
   * lease): whatever the stages do, throws included, the caller gets a result whose `finished`
   * gives all of it back, once. A stage that throws becomes an `internal_error` answer in the
   * caller's dialect, and the lease it held is settled as if nothing was used.
   */
  async function handle(context: RequestContext, authentication?: Authentication): Promise<Handled> {
    inFlight.add(context);
    const call = createCall(context, authentication);
    try {
      call.span = startSpan(context);
      return await run(call);
    } catch (error) {
      return rejected(call, normalizeError(error), noMeta);
    }
  }

  async function run(call: Call): Promise<Handled> {
    for (const stage of stages.request) {
      const running = stage.run(call);
      const result = running instanceof Promise ? await running : running;
      if (result.type === 'continue') continue;
      if (result.type === 'reject') return rejected(call, result.error, result.meta ?? call.meta);
      try {
        const wrapped = wrapAnswer(result.answer, call, 0);
        return answered(call, wrapped instanceof Promise ? await wrapped : wrapped);
      } catch (error) {
        // The caller gets an error instead: an unread upstream stream is cancelled, not left open.
        if (result.answer.type === 'stream') void result.answer.frames[Symbol.asyncIterator]().return?.();
        throw error;
      }
    }
    throw new Error('No request stage answered: the route stage must end the stage order.');
  }

  function wrapAnswer(answer: Answer, call: Call, from: number): Answer | Promise<Answer> {
    let current = answer;
    for (let index = from; index < stages.answer.length; index += 1) {
      const wrapped = stages.answer[index]?.wrap(current, call) ?? current;
      if (wrapped instanceof Promise) return wrapped.then((next) => wrapAnswer(next, call, index + 1));
      current = wrapped;
    }
    return current;
  }

  function startSpan(context: RequestContext): TraceSpan {
    // With tracing off, no span and none of its attributes are built.
    if (!tracing.enabled) return noopSpan;
    return tracing.startRequestSpan(context.headers, {
      operation: context.operation,
      requestModel: loggedModel(context.body),
      startTime: context.receivedAt,
      attributes: { 'gatehouse.request_id': context.requestId, ...genAiRequestAttributes(context.body) },
    });
  }

  /** Waits until every request has written its records (at most `limitMs`), then for token counts. */
  async function drain(limitMs = 5_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (inFlight.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await accountStage.drain();
  }

  return { handle, authenticate: (context) => authenticateStage.authenticate(context), drain: () => drain() };
}

export type { Handled, PipelineResult } from './handled.js';
