import { performance } from 'node:perf_hooks';
import type { TokenCounter } from '../../accounting/index.js';
import type { RouteCall, Router } from '../../routing/index.js';
import { createAttemptTracer, type DescribeProvider, type Tracing } from '../../telemetry/index.js';
import type { ResponseMeta } from '../context.js';
import { summaryOf, type Answer, type Call, type RequestStage, type StageResult } from '../stage.js';
import { forwardHeaders } from './forward-headers.js';

export interface RouteStageDependencies {
  readonly router: Router;
  readonly tokens: TokenCounter;
  readonly tracing: Tracing;
  /** A configured provider's type and address, for the attributes of upstream attempt spans. */
  readonly describeProvider?: DescribeProvider | undefined;
}

/** The last request stage: routing answers every request that gets this far, or says why not. */
export function createRouteStage(dependencies: RouteStageDependencies): RequestStage {
  const { router, tokens, tracing, describeProvider } = dependencies;

  function routeCallOf(call: Call): RouteCall {
    const { context, span } = call;
    const summary = summaryOf(call);
    return {
      dialect: context.dialect,
      operation: context.operation,
      model: summary.model,
      body: context.body,
      stream: summary.stream,
      includeUsage: summary.includeUsage,
      countPromptTokens: (targetModel) =>
        tokens.estimatePromptTokens(context.body, context.dialect, targetModel),
      forwardHeaders: tracing.enabled
        ? { ...forwardHeaders(context.headers, context.requestId), ...tracing.injectHeaders(span) }
        : forwardHeaders(context.headers, context.requestId),
      signal: context.signal,
      // With tracing off (or the trace not sampled) there are no attempt spans to make.
      ...(span.isRecording
        ? {
            observer: createAttemptTracer(tracing, span, {
              operation: context.operation,
              ...(describeProvider === undefined ? {} : { describe: describeProvider }),
            }),
          }
        : {}),
    };
  }

  return {
    name: 'route',
    async run(call): Promise<StageResult> {
      const routeStart = performance.now();
      const outcome = await router.route(routeCallOf(call));
      const overheadMs = routeStart - call.context.receivedAt;
      if (outcome.type === 'error') {
        const meta = { ...call.meta, attempts: outcome.attempts, overheadMs, cache: call.cache };
        return { type: 'reject', error: outcome.error, meta };
      }
      const { answered } = outcome;
      const meta: ResponseMeta = {
        ...call.meta,
        provider: answered.provider,
        model: answered.model,
        attempts: answered.attempts,
        cache: call.cache,
        overheadMs,
      };
      const answer: Answer =
        outcome.type === 'json'
          ? { type: 'json', body: outcome.body, meta, answered, usage: outcome.usage, savedCostUsd: 0 }
          : {
              type: 'stream',
              frames: outcome.frames,
              ending: outcome.summary,
              meta,
              answered,
              usage: undefined,
              savedCostUsd: 0,
            };
      return { type: 'respond', answer };
    },
  };
}
