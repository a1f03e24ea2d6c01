import type { TimeInput } from '@opentelemetry/api';
import type { RoutingEvents } from './metrics-router-observer.js';
import {
  GatewayAttribute,
  GenAiAttribute,
  genAiProviderName,
  genAiUsageAttributes,
  StandardAttribute,
  type TraceAttributes,
  type UsageFigures,
} from './tracing-attributes.js';
import type { TraceSpan } from './tracing-span.js';
import type { Tracing } from './tracing.js';

/** What the composition root knows about a configured provider, for span attributes. */
export interface ProviderDescription {
  /** The provider type (`openai`, `azure`, `anthropic`, ...), mapped to `gen_ai.provider.name`. */
  readonly type: string;
  /** Host and port of its base URL (`server.address`, `server.port`). */
  readonly address?: string | undefined;
  readonly port?: number | undefined;
}

export type DescribeProvider = (providerName: string) => ProviderDescription | undefined;

export interface RequestSpanOutcome {
  readonly status: number;
  readonly errorCode?: string | undefined;
  readonly keyId?: string | undefined;
  /** The configured provider that answered. */
  readonly provider?: string | undefined;
  readonly providerType?: string | undefined;
  readonly responseModel?: string | undefined;
  readonly responseId?: string | undefined;
  readonly finishReasons?: readonly string[] | undefined;
  readonly usage?: UsageFigures | undefined;
  readonly costUsd?: number | undefined;
  readonly attempts?: number | undefined;
  readonly cache?: string | undefined;
  readonly endTime?: TimeInput;
}

/**
 * Ends a request span with the answer's GenAI attributes. A 4xx is the caller's error, not the
 * server's (HTTP semantic conventions): it carries `error.type` but leaves the status unset.
 */
export function endRequestSpan(span: TraceSpan, outcome: RequestSpanOutcome): void {
  if (span.isRecording) {
    const system = outcome.providerType === undefined ? undefined : genAiProviderName(outcome.providerType);
    span.setAttributes({
      [StandardAttribute.httpResponseStatusCode]: outcome.status,
      [GenAiAttribute.system]: system,
      [GenAiAttribute.providerName]: system,
      [GenAiAttribute.responseModel]: outcome.responseModel,
      [GenAiAttribute.responseId]: outcome.responseId,
      [GenAiAttribute.responseFinishReasons]: outcome.finishReasons,
      [GatewayAttribute.keyId]: outcome.keyId,
      [GatewayAttribute.provider]: outcome.provider,
      [GatewayAttribute.costUsd]: outcome.costUsd,
      [GatewayAttribute.attempts]: outcome.attempts,
      [GatewayAttribute.cache]: outcome.cache,
      ...genAiUsageAttributes(outcome.usage),
    });
    if (outcome.status >= 500) span.fail(outcome.errorCode ?? String(outcome.status));
    else if (outcome.errorCode !== undefined)
      span.setAttributes({ [StandardAttribute.errorType]: outcome.errorCode });
  }
  span.end(outcome.endTime);
}

export interface UpstreamTarget {
  readonly operation: string;
  readonly provider: string;
  readonly model: string;
}

/**
 * A client span for one upstream attempt, started as the attempt starts, and the headers that
 * make the upstream's spans its children. For routing that reports attempts as they begin.
 */
export function startUpstreamSpan(
  tracing: Tracing,
  parent: TraceSpan,
  target: UpstreamTarget,
  describe?: DescribeProvider,
): { readonly span: TraceSpan; readonly headers: Record<string, string> } {
  const span = tracing.startChildSpan(
    parent,
    `${target.operation} ${target.model}`,
    upstreamAttributes(target, describe?.(target.provider)),
    { kind: 'client' },
  );
  return { span, headers: tracing.injectHeaders(span) };
}

/**
 * Routing's per-request events as spans: one client span per upstream attempt (reconstructed from
 * its reported duration, since routing reports an attempt once it has its answer) and events on
 * the request span for retries and fail-overs. Structurally a `RouterObserver`.
 */
export function createAttemptTracer(
  tracing: Tracing,
  parent: TraceSpan,
  settings: {
    readonly operation: string;
    readonly describe?: DescribeProvider;
    readonly clock?: () => number;
  },
): RoutingEvents {
  const clock = settings.clock ?? Date.now;
  return {
    attempt(event) {
      if (!parent.isRecording) return;
      const endedAt = clock();
      const target = { operation: settings.operation, provider: event.provider, model: event.model };
      const span = tracing.startChildSpan(
        parent,
        `${settings.operation} ${event.model}`,
        {
          ...upstreamAttributes(target, settings.describe?.(event.provider)),
          [GatewayAttribute.attemptOutcome]: event.outcome,
          [GatewayAttribute.failureKind]: event.failureKind,
          [GenAiAttribute.responseTimeToFirstChunk]:
            event.firstTokenMs === undefined ? undefined : event.firstTokenMs / 1000,
        },
        { kind: 'client', startTime: endedAt - event.durationMs },
      );
      if (event.outcome === 'failure') span.fail(event.errorCode ?? event.failureKind ?? 'unknown');
      span.end(endedAt);
    },
    retry(event) {
      parent.addEvent('gatehouse.retry', {
        [GatewayAttribute.provider]: event.provider,
        [GenAiAttribute.requestModel]: event.model,
        'gatehouse.retry.delay_ms': event.delayMs,
      });
    },
    failover(event) {
      parent.addEvent('gatehouse.failover', {
        [GatewayAttribute.target]: event.from,
        'gatehouse.failover.reason': event.reason,
      });
    },
    // Breakers are shared by every request; their changes are metrics, not part of one trace.
    breakerChange: () => undefined,
  };
}

function upstreamAttributes(
  target: UpstreamTarget,
  description: ProviderDescription | undefined,
): TraceAttributes {
  const system = genAiProviderName(description?.type ?? target.provider);
  return {
    [GenAiAttribute.operationName]: target.operation,
    [GenAiAttribute.system]: system,
    [GenAiAttribute.providerName]: system,
    [GenAiAttribute.requestModel]: target.model,
    [GatewayAttribute.provider]: target.provider,
    [GatewayAttribute.target]: `${target.provider}/${target.model}`,
    [StandardAttribute.serverAddress]: description?.address,
    [StandardAttribute.serverPort]: description?.port,
  };
}
