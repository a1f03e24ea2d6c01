import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { ModelResolver } from './model-resolver.js';
import { silentObserver, type RouterObserver } from './observer.js';
import { RouteRun, type RouterContext } from './route-run.js';
import type { TargetStats } from './target-stats.js';
import type { RouteCall, RouteOutcome } from './types.js';

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
  const sharedObserver = dependencies.observer ?? silentObserver;
  const context: RouterContext = {
    resolver: dependencies.resolver,
    codecs: dependencies.codecs,
    breakers: dependencies.breakers,
    stats: dependencies.stats,
    random: dependencies.random ?? Math.random,
    sleep: dependencies.sleep ?? abortableSleep,
  };
  dependencies.breakers.onChange((target, state) => sharedObserver.breakerChange({ target, state }));

  return {
    route(call) {
      const model = context.resolver.resolve(call.model);
      if (model === undefined) {
        const message = `The model '${call.model}' does not exist or is not configured.`;
        return Promise.resolve({
          type: 'error',
          error: new GatewayError('model_not_found', message, { param: 'model' }),
          attempts: 0,
        });
      }
      return new RouteRun(context, observerFor(sharedObserver, call.observer), call, model).run();
    },
  };
}

/** The router's observer, and the request's own (its trace spans) told the same, when it has one. */
function observerFor(shared: RouterObserver, own: RouteCall['observer']): RouterObserver {
  if (own === undefined) return shared;
  return {
    attempt: (event) => {
      shared.attempt(event);
      own.attempt(event);
    },
    retry: (event) => {
      shared.retry(event);
      own.retry(event);
    },
    failover: (event) => {
      shared.failover(event);
      own.failover(event);
    },
    breakerChange: (event) => {
      shared.breakerChange(event);
    },
  };
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
