import { createChildCache } from './metrics-children.js';
import type { MetricDefinitions } from './metrics-definitions.js';
import type { LabelGuard } from './metrics-label-guard.js';

/**
 * What routing reports, as telemetry sees it. The shapes match `RouterObserver` in routing/ (a
 * structural match, checked by a test) without telemetry importing routing: routing depends on
 * nothing of telemetry's, and telemetry stays a leaf that every module may import.
 */
export interface RoutingAttempt {
  readonly provider: string;
  readonly model: string;
  readonly outcome: 'success' | 'failure';
  readonly errorCode?: string;
  readonly failureKind?: string;
  readonly durationMs: number;
  readonly firstTokenMs?: number;
}

export interface RoutingEvents {
  attempt(event: RoutingAttempt): void;
  retry(event: { readonly provider: string; readonly model: string; readonly delayMs: number }): void;
  failover(event: { readonly from: string; readonly reason: string }): void;
  breakerChange(event: { readonly target: string; readonly state: string }): void;
}

export interface RoutingGuards {
  readonly provider: LabelGuard;
  readonly model: LabelGuard;
  readonly target: LabelGuard;
  readonly errorClass: LabelGuard;
  readonly reason: LabelGuard;
}

const breakerLevels: Readonly<Record<string, number>> = { closed: 0, 'half-open': 1, open: 2 };

export function createRoutingMetrics(metrics: MetricDefinitions, guards: RoutingGuards): RoutingEvents {
  // One lookup for the two series an attempt adds to.
  const attemptChildren = createChildCache(([provider = '', model = '', outcome = '', errorClass = '']) => ({
    requests: metrics.upstreamRequests.labels(provider, model, outcome, errorClass),
    duration: metrics.upstreamDuration.labels(provider, model, outcome),
  }));

  return {
    attempt(event) {
      const provider = guards.provider.value(event.provider);
      const model = guards.model.value(event.model);
      // The error code is the useful class (rate limited, timeout, unavailable, context length);
      // the failure kind stands in when a failure carries no code.
      const errorClass =
        event.outcome === 'success'
          ? 'none'
          : guards.errorClass.value(event.errorCode ?? event.failureKind ?? 'unknown');
      const children = attemptChildren.get(provider, model, event.outcome, errorClass);
      children.requests.inc();
      // A non-finite reading would poison the histogram's sum for good; it is dropped instead.
      if (Number.isFinite(event.durationMs)) children.duration.observe(Math.max(0, event.durationMs) / 1000);
      if (event.firstTokenMs !== undefined && Number.isFinite(event.firstTokenMs)) {
        metrics.upstreamFirstToken.labels(provider, model).observe(Math.max(0, event.firstTokenMs) / 1000);
      }
    },
    retry(event) {
      metrics.retries.labels(guards.provider.value(event.provider), guards.model.value(event.model)).inc();
    },
    failover(event) {
      metrics.failovers.labels(guards.target.value(event.from), guards.reason.value(event.reason)).inc();
    },
    breakerChange(event) {
      const target = guards.target.value(event.target);
      const level = breakerLevels[event.state];
      if (level === undefined) return;
      metrics.breakerState.labels(target).set(level);
      metrics.breakerTransitions.labels(target, event.state).inc();
    },
  };
}
