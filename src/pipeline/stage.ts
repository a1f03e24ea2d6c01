import type { AnswerRecorder } from '../caching/index.js';
import type { RequestSummary } from '../dialects/index.js';
import type { GatewayError } from '../errors/index.js';
import type { Usage } from '../llm/index.js';
import type { LimitLease } from '../limits/index.js';
import type { Answered, StreamSummary } from '../routing/index.js';
import { noopSpan, type TraceSpan } from '../telemetry/index.js';
import type { Authentication, CacheResult, Principal, RequestContext, ResponseMeta } from './context.js';

/**
 * The stage contract. A request stage looks at a call on its way in and lets it go on, refuses it,
 * or answers it; an answer stage sees the answer on its way back and may wrap or rewrite it. The
 * order of both lists is in `stage-order.ts`.
 */

/** One request as the stages share it: what http/ handed over and what earlier stages learned. */
export interface Call {
  readonly context: RequestContext;
  span: TraceSpan;
  /** Given when http/ checked the key before it read the body. */
  readonly authentication: Authentication | undefined;
  /** Set by the authenticate stage. */
  principal: Principal | undefined;
  /** Set by the validate stage: the request's facts, read once. */
  summary: RequestSummary | undefined;
  /** Set once the limits admitted the request; settled exactly once when it ends. */
  lease: LimitLease | undefined;
  /** What a refusal reports: the limits' headers once they are known. */
  meta: ResponseMeta;
  /** The `x-gatehouse-cache` verdict for an answer routing produces. */
  cache: CacheResult;
  /** Set by the cache stage when routing's answer is to be stored. */
  cacheRecorder: AnswerRecorder | undefined;
}

/** An answer on its way to the caller: what answer stages see, and what the request is accounted by. */
export type Answer =
  | (AnswerFacts & {
      readonly type: 'json';
      readonly body: Buffer;
      /**
       * Set by an answer stage that refuses the answer (the tool firewall under `on_deny: error`):
       * the caller receives this error instead, and the request is still accounted by `usage`,
       * since the upstream was paid for the answer.
       */
      readonly error?: GatewayError;
    })
  | (AnswerFacts & {
      readonly type: 'stream';
      /** Complete SSE frames in the caller's dialect. */
      readonly frames: AsyncIterable<Uint8Array | string>;
      /** How the stream ended, once it has; undefined for a replay, which is complete with `usage`. */
      readonly ending: Promise<StreamSummary> | undefined;
    });

interface AnswerFacts {
  readonly meta: ResponseMeta;
  /** The target that produced the answer; undefined for a cached one. */
  readonly answered: Answered | undefined;
  /** For a stream, known only from `ending` (unless it is a replay). */
  readonly usage: Usage | undefined;
  /** What a cached answer saved. */
  readonly savedCostUsd: number;
}

export type StageResult =
  | { readonly type: 'continue' }
  | { readonly type: 'reject'; readonly error: GatewayError; readonly meta?: ResponseMeta }
  | { readonly type: 'respond'; readonly answer: Answer };

export interface RequestStage {
  readonly name: string;
  /** Synchronous when the stage has nothing to wait for: the pipeline awaits only a promise. */
  run(call: Call): StageResult | Promise<StageResult>;
}

export interface AnswerStage {
  readonly name: string;
  /**
   * Returns `answer` itself when the stage has nothing to do for this call (no wrapping, no
   * cost). A stream's frames must be passed on as they come: a stage never holds the answer back.
   */
  wrap(answer: Answer, call: Call): Answer | Promise<Answer>;
}

/** Shared, so that a stage letting a request through allocates nothing. */
export const proceed: StageResult = Object.freeze({ type: 'continue' });

export const noMeta: ResponseMeta = Object.freeze({
  provider: undefined,
  model: undefined,
  attempts: 0,
  cache: 'bypass',
  overheadMs: 0,
  rateLimitHeaders: Object.freeze({}),
});

export function createCall(context: RequestContext, authentication: Authentication | undefined): Call {
  return {
    context,
    span: noopSpan,
    authentication,
    principal: undefined,
    summary: undefined,
    lease: undefined,
    meta: noMeta,
    cache: 'bypass',
    cacheRecorder: undefined,
  };
}

/** The summary, for stages after validation; a stage placed before it is a programming error. */
export function summaryOf(call: Call): RequestSummary {
  if (call.summary === undefined)
    throw new Error('A stage that needs the request summary ran before validate.');
  return call.summary;
}

/** The principal, for stages after authentication; a stage placed before it is a programming error. */
export function principalOf(call: Call): Principal {
  if (call.principal === undefined)
    throw new Error('A stage that needs the principal ran before authenticate.');
  return call.principal;
}
