import type { ErrorCode } from '../errors/index.js';
import type { UpstreamFailureKind } from '../providers/contract.js';
import type { BreakerState } from './circuit-breaker.js';

export interface AttemptEvent {
  readonly provider: string;
  readonly model: string;
  readonly outcome: 'success' | 'failure';
  readonly errorCode?: ErrorCode;
  readonly failureKind?: UpstreamFailureKind | 'mid-stream';
  /** Until the response began (headers, or the first token of a stream). */
  readonly durationMs: number;
  readonly firstTokenMs?: number;
}

export type FailoverReason = 'error' | 'context-length' | 'breaker-open' | 'mid-stream';

/**
 * What routing reports as it works, for metrics and traces. Routing never imports telemetry; the
 * composition root supplies an observer that records these.
 */
export interface RouterObserver {
  attempt(event: AttemptEvent): void;
  retry(event: { readonly provider: string; readonly model: string; readonly delayMs: number }): void;
  failover(event: { readonly from: string; readonly reason: FailoverReason }): void;
  breakerChange(event: { readonly target: string; readonly state: BreakerState }): void;
}

export const silentObserver: RouterObserver = {
  attempt: () => undefined,
  retry: () => undefined,
  failover: () => undefined,
  breakerChange: () => undefined,
};
