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
import type { RouterObserver } from './observer.js';
import { resilientStream } from './resilient-stream.js';
import { decideRetry, isTargetFailure, type RetryDecision } from './retry-decision.js';
import { targetId } from './target-order.js';
import type { TargetStats } from './target-stats.js';
import type { Answered, ModelRoute, RouteCall, RouteOutcome, StreamSummary, Target } from './types.js';

/** What every request's routing shares, made once by the router. */
export interface RouterContext {
  readonly resolver: ModelResolver;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly breakers: CircuitBreakers;
  readonly stats: TargetStats;
  readonly random: () => number;
  readonly sleep: (milliseconds: number, signal: AbortSignal) => Promise<void>;
}

type Attempted = AttemptResult | { readonly type: 'skipped' };

/**
 * One request's routing: candidates in plan order, each through its circuit breaker, with retries
 * per the retry policy, within the request's overall deadline. Holds what the request has tried
 * so far (attempts, the last failure, targets skipped by an open breaker).
 */
export class RouteRun {
  private readonly plan: CandidatePlan;
  /** Unix milliseconds by which the whole request must be over. */
  private readonly deadline: number;
  private attempts = 0;
  private lastFailure: UpstreamFailure | undefined;
  private skippedByBreaker = 0;
  private canonical: ChatRequest | undefined;

  constructor(
    private readonly context: RouterContext,
    private readonly observer: RouterObserver,
    private readonly call: RouteCall,
    model: ModelRoute,
  ) {
    this.deadline = Date.now() + model.timeouts.totalMs;
    this.plan = new CandidatePlan(model, context.resolver, context.stats, context.random, () =>
      estimatePromptTokens(call.body),
    );
  }

  async run(): Promise<RouteOutcome> {
    const { call } = this;
    for (let candidate = this.plan.next(); candidate !== undefined; candidate = this.plan.next()) {
      const { route, target } = candidate;
      let decision: RetryDecision = { type: 'next-target' };
      let skipped = false;
      for (let retryIndex = 0; retryIndex < route.retry.attempts; retryIndex += 1) {
        if (call.signal.aborted) return clientGone(this.attempts);
        if (Date.now() >= this.deadline) return deadlineReached(this.lastFailure, this.attempts);
        const result = await this.attempt(candidate);
        if (result.type === 'json' || result.type === 'stream') return this.answer(candidate, result);
        if (result.type === 'skipped') {
          // Already counted as a `breaker-open` fail-over.
          skipped = true;
          break;
        }
        if (call.signal.aborted) return clientGone(this.attempts);
        this.lastFailure = result.failure;
        decision = decideRetry(result.failure, route.retry, retryIndex, this.context.random);
        if (decision.type !== 'retry') break;
        const delayMs = Math.min(decision.delayMs, Math.max(0, this.deadline - Date.now()));
        this.observer.retry({ provider: target.provider.name, model: target.model, delayMs });
        await this.context.sleep(delayMs, call.signal).catch(() => undefined);
      }
      const stop = this.afterCandidate(candidate, decision, skipped);
      if (stop !== undefined) return stop;
    }
    return this.exhausted();
  }

  /** Where a candidate's last failure leads: an answer to the caller now, or on to the next candidate. */
  private afterCandidate(
    candidate: Candidate,
    decision: RetryDecision,
    skipped: boolean,
  ): RouteOutcome | undefined {
    if (decision.type === 'stop' || (decision.type === 'next-model' && !this.plan.skipToContextFallbacks())) {
      return { type: 'error', error: this.lastFailure?.error ?? unavailable(), attempts: this.attempts };
    }
    if (!skipped) {
      this.observer.failover({
        from: targetId(candidate.target),
        reason: decision.type === 'next-model' ? 'context-length' : 'error',
      });
    }
    return undefined;
  }

  /** Every candidate was tried or skipped: the most telling error. */
  private exhausted(): RouteOutcome {
    const { attempts, lastFailure } = this;
    if (lastFailure === undefined && this.plan.skippedForContext) {
      const message = `The prompt is longer than the context window of '${this.call.model}' and no larger model is configured.`;
      return {
        type: 'error',
        error: new GatewayError('context_length_exceeded', message, { param: 'messages' }),
        attempts,
      };
    }
    if (lastFailure === undefined && this.skippedByBreaker > 0) {
      const message = `Every target of '${this.call.model}' is out of rotation (circuit breaker open); retry shortly.`;
      return { type: 'error', error: new GatewayError('upstream_unavailable', message), attempts };
    }
    return { type: 'error', error: lastFailure?.error ?? unavailable(), attempts };
  }

  /** The caller's answer from a successful attempt; a stream is made resilient to mid-stream failure. */
  private answer(
    candidate: Candidate,
    result: Extract<AttemptResult, { type: 'json' | 'stream' }>,
  ): RouteOutcome {
    const answered = answeredBy(candidate, this.attempts);
    if (result.type === 'json') return { type: 'json', body: result.body, usage: result.usage, answered };
    const { breakers, codecs } = this.context;
    let resolveSummary: (summary: StreamSummary) => void = () => undefined;
    const summary = new Promise<StreamSummary>((resolve) => (resolveSummary = resolve));
    const frames = resilientStream({
      first: result.stream,
      firstTarget: targetId(candidate.target),
      clientCodec: codecs[this.call.dialect],
      signal: this.call.signal,
      continueStream: (sent, failedTarget) => this.continueStream(sent, failedTarget),
      onFailure: (failedTarget) => breakers.record(failedTarget, false, false),
      resolveSummary,
    });
    return { type: 'stream', frames, summary, answered };
  }

  /** One attempt through the target's breaker and statistics. */
  private async attempt(candidate: Candidate, continuing?: SentSoFar): Promise<Attempted> {
    const { breakers, stats } = this.context;
    const id = targetId(candidate.target);
    const admission = breakers.admit(id);
    if (!admission.admitted) {
      this.skippedByBreaker += 1;
      this.observer.failover({ from: id, reason: 'breaker-open' });
      return { type: 'skipped' };
    }
    this.attempts += 1;
    const startedAt = Date.now();
    stats.started(id);
    let result: AttemptResult;
    try {
      result = await this.send(candidate, continuing);
    } catch (error) {
      // A throw (a bug, a body that cannot be serialised) must not leave the target counted as
      // busy, nor hold a half-open probe slot for good.
      stats.finished(id, undefined);
      if (admission.probe) breakers.record(id, false, true);
      throw error;
    }
    this.record(candidate.target, id, admission.probe, result, Date.now() - startedAt);
    return result;
  }

  private send(candidate: Candidate, continuing: SentSoFar | undefined): Promise<AttemptResult> {
    const { call, deadline } = this;
    const { target, route } = candidate;
    if (call.operation !== 'chat') {
      return attemptEmbeddings({ call, target, timeouts: route.timeouts, deadline });
    }
    return attemptChat({
      call,
      target,
      timeouts: route.timeouts,
      codecs: this.context.codecs,
      canonicalRequest: this.canonicalRequest,
      deadline,
      ...(continuing === undefined ? {} : { continuing }),
    });
  }

  /** The caller's request in canonical form, decoded once and only when an attempt translates. */
  private readonly canonicalRequest = (): ChatRequest =>
    (this.canonical ??= this.context.codecs[this.call.dialect].decodeChatRequest(this.call.body));

  /** An attempt's outcome, told to the target's statistics, its breaker and the observer. */
  private record(
    target: Target,
    id: string,
    probe: boolean,
    result: AttemptResult,
    durationMs: number,
  ): void {
    const { breakers, stats } = this.context;
    stats.finished(id, result.type === 'failed' ? undefined : (result.firstTokenMs ?? durationMs));
    if (result.type === 'failed') {
      if (!this.call.signal.aborted && isTargetFailure(result.failure)) breakers.record(id, false, probe);
      else if (probe) breakers.record(id, true, true);
      this.observer.attempt({
        provider: target.provider.name,
        model: target.model,
        outcome: 'failure',
        errorCode: result.failure.error.code,
        failureKind: result.failure.kind,
        durationMs,
      });
      return;
    }
    breakers.record(id, true, probe);
    this.observer.attempt({
      provider: target.provider.name,
      model: target.model,
      outcome: 'success',
      durationMs,
      ...(result.firstTokenMs === undefined ? {} : { firstTokenMs: result.firstTokenMs }),
    });
  }

  /** Continues a stream that failed after the caller received part of it, from the next candidates. */
  private async continueStream(
    sent: SentSoFar,
    failedTarget: string,
  ): Promise<{ stream: StartedStream; answered: Answered } | undefined> {
    this.observer.failover({ from: failedTarget, reason: 'mid-stream' });
    for (let candidate = this.plan.next(); candidate !== undefined; candidate = this.plan.next()) {
      if (this.call.signal.aborted || Date.now() >= this.deadline) return undefined;
      let result = await this.attempt(candidate, sent);
      // A target that claims prefill support but refuses this one gets the answer restarted
      // instead; the caller never sees the refusal.
      if (
        result.type === 'failed' &&
        result.failure.kind === 'http' &&
        result.failure.error.status === 400 &&
        candidate.target.provider.supportsPrefill
      ) {
        result = await this.attempt(candidate, { ...sent, restart: true });
      }
      if (result.type === 'stream') {
        return { stream: result.stream, answered: answeredBy(candidate, this.attempts) };
      }
      if (result.type === 'failed')
        this.observer.failover({ from: targetId(candidate.target), reason: 'error' });
    }
    return undefined;
  }
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
