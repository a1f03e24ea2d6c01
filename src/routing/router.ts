import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError } from '../errors/index.js';
import type { ChatRequest, Dialect } from '../llm/index.js';
import type { UpstreamFailure } from '../providers/contract.js';
import type { ModelResolver } from './model-resolver.js';
import { decideRetry } from './retry-decision.js';
import { attemptChat, attemptEmbeddings, type AttemptResult } from './attempt.js';
import { orderTargets } from './target-order.js';
import type { ModelRoute, RouteCall, RouteOutcome, Target } from './types.js';

export interface RouterDependencies {
  readonly resolver: ModelResolver;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly random?: () => number;
  readonly sleep?: (milliseconds: number, signal: AbortSignal) => Promise<void>;
}

export interface Router {
  route(call: RouteCall): Promise<RouteOutcome>;
}

/** Picks targets for a model, calls them in order with retries, and fails over to fallback models. */
export function createRouter(dependencies: RouterDependencies): Router {
  const random = dependencies.random ?? Math.random;
  const sleep = dependencies.sleep ?? abortableSleep;

  function candidates(route: ModelRoute): { route: ModelRoute; targets: readonly Target[] }[] {
    const chain = [{ route, targets: orderTargets(route, random) }];
    for (const name of route.fallbacks) {
      const fallback = dependencies.resolver.resolve(name);
      if (fallback !== undefined) chain.push({ route: fallback, targets: orderTargets(fallback, random) });
    }
    return chain;
  }

  async function route(call: RouteCall): Promise<RouteOutcome> {
    const route = dependencies.resolver.resolve(call.model);
    if (route === undefined) {
      return {
        type: 'error',
        error: new GatewayError('model_not_found', `The model '${call.model}' does not exist or is not configured.`, {
          param: 'model',
        }),
        attempts: 0,
      };
    }
    let canonical: ChatRequest | undefined;
    const canonicalRequest = (): ChatRequest =>
      (canonical ??= dependencies.codecs[call.dialect].decodeChatRequest(call.body));
    let attempts = 0;
    let lastFailure: UpstreamFailure | undefined;

    for (const { route: modelRoute, targets } of candidates(route)) {
      for (const target of targets) {
        let decision: ReturnType<typeof decideRetry> = { type: 'next-target' };
        for (let retryIndex = 0; retryIndex < modelRoute.retry.attempts; retryIndex += 1) {
          if (call.signal.aborted) return clientGone(attempts);
          attempts += 1;
          const result: AttemptResult =
            call.operation === 'chat'
              ? await attemptChat({ call, target, timeouts: modelRoute.timeouts, codecs: dependencies.codecs, canonicalRequest })
              : await attemptEmbeddings({ call, target, timeouts: modelRoute.timeouts });
          if (result.type !== 'failed') {
            return { ...result, answered: { provider: target.provider.name, model: target.model, attempts } };
          }
          if (call.signal.aborted) return clientGone(attempts);
          lastFailure = result.failure;
          decision = decideRetry(result.failure, modelRoute.retry, retryIndex, random);
          if (decision.type !== 'retry') break;
          await sleep(decision.delayMs, call.signal).catch(() => undefined);
        }
        if (decision.type === 'stop') return { type: 'error', error: lastFailure?.error ?? unknownFailure(), attempts };
        if (decision.type === 'next-model') break;
      }
    }
    return { type: 'error', error: lastFailure?.error ?? unknownFailure(), attempts };
  }

  return { route };
}

function clientGone(attempts: number): RouteOutcome {
  return { type: 'error', error: new GatewayError('invalid_request', 'The client closed the request.'), attempts };
}

function unknownFailure(): GatewayError {
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
