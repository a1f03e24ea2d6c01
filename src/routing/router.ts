import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError } from '../errors/index.js';
import type { ChatRequest, Dialect } from '../llm/index.js';
import type { UpstreamFailure } from '../providers/contract.js';
import {
  attemptChat,
  attemptEmbeddings,
  type AttemptResult,
  type SentSoFar,
  type StartedStream,
} from './attempt.js';
import { CandidatePlan, type Candidate } from './candidate-plan.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { ModelResolver } from './model-resolver.js';
import { silentObserver, type RouterObserver } from './observer.js';
import { resilientStream } from './resilient-stream.js';
import { decideRetry, isTargetFailure } from './retry-decision.js';
import { targetId } from './target-order.js';
import type { TargetStats } from './target-stats.js';
import type { Answered, RouteCall, RouteOutcome, StreamSummary } from './types.js';

export interface RouterDependencies {
  readonly resolver: ModelResolver;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly breakers: CircuitBreakers;
  readonly stats: TargetStats;
  readonly observer?: RouterObserver;
  readonly random?: () => number;
  readonly sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>;
}

export interface Router {
  route(call: RouteCall): Promise<RouteOutcome>;
}

/**
 * Routes one request: tries candidates in plan order, each through its circuit breaker, with
 * retries per the retry policy, within the request's overall deadline; a stream that fails after
 * it began is continued from another candidate when that is faithful.
 */
export function createRouter(dependencies: RouterDependencies): Router {
  const { resolver, codecs, breakers, stats } = dependencies;
  const sharedObserver = dependencies.observer ?? silentObserver;
  const random = dependencies.random ?? Math.random;
  const sleep = dependencies.sleep ?? abortableSleep;
  breakers.onChange((target, state) => sharedObserver.breakerChange({ target, state }));

  async function route(call: RouteCall): Promise<RouteOutcome> {
    const requestObserver = call.observer;
    const observer: RouterObserver =
      requestObserver === undefined
        ? sharedObserver
        : {
            attempt: (event) => {
              sharedObserver.attempt(event);
              requestObserver.attempt(event);
            },
            retry: (event) => {
              sharedObserver.retry(event);
              requestObserver.retry(event);
            },
            failover: (event) => {
              sharedObserver.failover(event);
              requestObserver.failover(event);
            },
            breakerChange: (event) => {
              sharedObserver.breakerChange(event);
            },
          };
    const model = resolver.resolve(call.model);
    if (model === undefined) {
      const message = `The model '${call.model}' does not exist or is not configured.`;
      return {
        type: 'error',
        error: new GatewayError('model_not_found', message, { param: 'model' }),
        attempts: 0,
      };
    }
    const deadline = Date.now() + model.timeouts.total_ms;
    let canonical: ChatRequest | undefined;
    const canonicalRequest = (): ChatRequest =>
      (canonical ??= codecs[call.dialect].decodeChatRequest(call.body));
    const plan = new CandidatePlan(model, resolver, stats, random, () => estimatePromptTokens(call.body));
    let attempts = 0;
    let lastFailure: UpstreamFailure | undefined;
    let skippedByBreaker = 0;

    /** One attempt through the target's breaker and statistics. */
    async function attempt(
      candidate: Candidate,
      continuing?: SentSoFar,
    ): Promise<AttemptResult | { type: 'skipped' }> {
      const { target, route: modelRoute } = candidate;
      const id = targetId(target);
      const admission = breakers.admit(id);
      if (!admission.admitted) {
        skippedByBreaker += 1;
        observer.failover({ from: id, reason: 'breaker-open' });
        return { type: 'skipped' };
      }
      attempts += 1;
      const startedAt = Date.now();
      stats.started(id);
      let result: AttemptResult;
      try {
        result =
          call.operation === 'chat'
            ? await attemptChat({
                call,
                target,
                timeouts: modelRoute.timeouts,
                codecs,
                canonicalRequest,
                deadline,
                ...(continuing === undefined ? {} : { continuing }),
              })
            : await attemptEmbeddings({ call, target, timeouts: modelRoute.timeouts, deadline });
      } catch (error) {
        // A throw (a bug, a body that cannot be serialised) must not leave the target counted as
        // busy, nor hold a half-open probe slot for good.
        stats.finished(id, undefined);
        if (admission.probe) breakers.record(id, false, true);
        throw error;
      }
      const durationMs = Date.now() - startedAt;
      stats.finished(id, result.type === 'failed' ? undefined : (result.firstTokenMs ?? durationMs));
      if (result.type === 'failed') {
        if (!call.signal.aborted && isTargetFailure(result.failure))
          breakers.record(id, false, admission.probe);
        else if (admission.probe) breakers.record(id, true, true);
        observer.attempt({
          provider: target.provider.name,
          model: target.model,
          outcome: 'failure',
          errorCode: result.failure.error.code,
          failureKind: result.failure.kind,
          durationMs,
        });
      } else {
        breakers.record(id, true, admission.probe);
        observer.attempt({
          provider: target.provider.name,
          model: target.model,
          outcome: 'success',
          durationMs,
          ...(result.firstTokenMs === undefined ? {} : { firstTokenMs: result.firstTokenMs }),
        });
      }
      return result;
    }

    /** Continues a stream that failed after the caller received part of it, from the next candidates. */
    async function continueStream(
      sent: SentSoFar,
      failedTarget: string,
    ): Promise<{ stream: StartedStream; answered: Answered } | undefined> {
      observer.failover({ from: failedTarget, reason: 'mid-stream' });
      for (let candidate = plan.next(); candidate !== undefined; candidate = plan.next()) {
        if (call.signal.aborted || Date.now() >= deadline) return undefined;
        let result = await attempt(candidate, sent);
        // A target that claims prefill support but refuses this one gets the answer restarted
        // instead; the caller never sees the refusal.
        if (
          result.type === 'failed' &&
          result.failure.kind === 'http' &&
          result.failure.error.status === 400 &&
          candidate.target.provider.supportsPrefill
        ) {
          result = await attempt(candidate, { ...sent, restart: true });
        }
        if (result.type === 'stream') {
          return { stream: result.stream, answered: answeredBy(candidate, attempts) };
        }
        if (result.type === 'failed')
          observer.failover({ from: targetId(candidate.target), reason: 'error' });
      }
      return undefined;
    }

    for (let candidate = plan.next(); candidate !== undefined; candidate = plan.next()) {
      const { route: modelRoute, target } = candidate;
      let decision: ReturnType<typeof decideRetry> = { type: 'next-target' };
      let skipped = false;
      for (let retryIndex = 0; retryIndex < modelRoute.retry.attempts; retryIndex += 1) {
        if (call.signal.aborted) return clientGone(attempts);
        if (Date.now() >= deadline) return deadlineReached(lastFailure, attempts);
        const result = await attempt(candidate);
        if (result.type === 'json') {
          return {
            type: 'json',
            body: result.body,
            usage: result.usage,
            answered: answeredBy(candidate, attempts),
          };
        }
        if (result.type === 'stream') {
          const answered = answeredBy(candidate, attempts);
          let resolveSummary: (summary: StreamSummary) => void = () => undefined;
          const summary = new Promise<StreamSummary>((resolve) => (resolveSummary = resolve));
          const frames = resilientStream({
            first: result.stream,
            firstTarget: targetId(target),
            clientCodec: codecs[call.dialect],
            signal: call.signal,
            continueStream,
            onFailure: (failedTarget) => breakers.record(failedTarget, false, false),
            resolveSummary,
          });
          return { type: 'stream', frames, summary, answered };
        }
        if (result.type === 'skipped') {
          // Already counted as a `breaker-open` fail-over.
          skipped = true;
          break;
        }
        if (call.signal.aborted) return clientGone(attempts);
        lastFailure = result.failure;
        decision = decideRetry(result.failure, modelRoute.retry, retryIndex, random);
        if (decision.type !== 'retry') break;
        const delayMs = Math.min(decision.delayMs, Math.max(0, deadline - Date.now()));
        observer.retry({ provider: target.provider.name, model: target.model, delayMs });
        await sleep(delayMs, call.signal).catch(() => undefined);
      }
      if (decision.type === 'stop')
        return { type: 'error', error: lastFailure?.error ?? unavailable(), attempts };
      if (decision.type === 'next-model' && !plan.skipToContextFallbacks()) {
        return { type: 'error', error: lastFailure?.error ?? unavailable(), attempts };
      }
      if (!skipped) {
        observer.failover({
          from: targetId(target),
          reason: decision.type === 'next-model' ? 'context-length' : 'error',
        });
      }
    }
    if (lastFailure === undefined && plan.skippedForContext) {
      const message = `The prompt is longer than the context window of '${call.model}' and no larger model is configured.`;
      return {
        type: 'error',
        error: new GatewayError('context_length_exceeded', message, { param: 'messages' }),
        attempts,
      };
    }
    if (lastFailure === undefined && skippedByBreaker > 0) {
      const message = `Every target of '${call.model}' is out of rotation (circuit breaker open); retry shortly.`;
      return { type: 'error', error: new GatewayError('upstream_unavailable', message), attempts };
    }
    return { type: 'error', error: lastFailure?.error ?? unavailable(), attempts };
  }

  return { route };
}

function answeredBy(candidate: Candidate, attempts: number): Answered {
  return { provider: candidate.target.provider.name, model: candidate.target.model, attempts };
}

/**
 * A rough prompt size (about four characters per token), enough to decide whether a prompt can
 * fit a configured context window; computed only for models that configure one.
 */
function estimatePromptTokens(body: Readonly<Record<string, unknown>>): number {
  return Math.ceil(JSON.stringify([body.system, body.messages, body.tools]).length / 4);
}

function clientGone(attempts: number): RouteOutcome {
  return {
    type: 'error',
    error: new GatewayError('client_closed_request', 'The client closed the request.'),
    attempts,
  };
}

function deadlineReached(lastFailure: UpstreamFailure | undefined, attempts: number): RouteOutcome {
  const error = new GatewayError('upstream_timeout', 'The request did not complete within its deadline.', {
    ...(lastFailure === undefined ? {} : { cause: lastFailure.error }),
  });
  return { type: 'error', error, attempts };
}

function unavailable(): GatewayError {
  return new GatewayError('upstream_unavailable', 'No provider could answer the request.');
}

function abortableSleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
