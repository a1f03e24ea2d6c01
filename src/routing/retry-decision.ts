import { upstreamCredentialsRefused } from '../errors/index.js';
import type { UpstreamFailure } from '../providers/contract.js';
import type { RetrySettings } from './routing-settings.js';

export type RetryDecision =
  /** Try the same target again after `delayMs`. */
  | { readonly type: 'retry'; readonly delayMs: number }
  /** Move on to the next target of the same model. */
  | { readonly type: 'next-target' }
  /** Skip the model's remaining targets and go to its fallback models. */
  | { readonly type: 'next-model' }
  /** Return this failure to the caller. */
  | { readonly type: 'stop' };

/**
 * What to do after a failed attempt (SPEC section 5). `retryIndex` counts earlier attempts on the
 * same target. A silent target (timeout) is never retried on the same route.
 */
export function decideRetry(
  failure: UpstreamFailure,
  retry: RetrySettings,
  retryIndex: number,
  random: () => number,
): RetryDecision {
  const canRetry = retryIndex + 1 < retry.attempts;
  switch (failure.kind) {
    case 'timeout':
      return { type: 'next-target' };
    case 'connect':
      return canRetry
        ? { type: 'retry', delayMs: backoff(retry, retryIndex, random) }
        : { type: 'next-target' };
    case 'http':
      break;
  }
  const { code, status } = failure.error;
  if (code === 'content_policy') return { type: 'stop' };
  // A provider that refuses the gateway's credentials is misconfigured: try the other targets.
  if (failure.error.upstreamType === upstreamCredentialsRefused) return { type: 'next-target' };
  if (code === 'context_length_exceeded') return { type: 'next-model' };
  if (retry.retryOn.includes(status)) {
    if (!canRetry) return { type: 'next-target' };
    const asked = failure.retryAfterMs;
    if (asked === undefined) return { type: 'retry', delayMs: backoff(retry, retryIndex, random) };
    // A wait longer than the cap is better spent on another target.
    return asked <= retry.maxRetryAfterMs ? { type: 'retry', delayMs: asked } : { type: 'next-target' };
  }
  // A target that rejects our credentials or does not know the model is misconfigured: try others.
  if (status === 401 || status === 403 || status === 404) return { type: 'next-target' };
  if (status >= 500) return { type: 'next-target' };
  return { type: 'stop' };
}

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
function backoff(retry: RetrySettings, retryIndex: number, random: () => number): number {
  const ceiling = Math.min(retry.maxBackoffMs, retry.backoffMs * 2 ** retryIndex);
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Whether a failure speaks against the target (and so counts for its circuit breaker). A request
 * the provider rejects on its merits (too long, against policy, malformed) says nothing about the
 * target's health.
 */
export function isTargetFailure(failure: UpstreamFailure): boolean {
  if (failure.kind !== 'http') return true;
  const { code, status } = failure.error;
  if (code === 'content_policy' || code === 'context_length_exceeded') return false;
  return status >= 500 || status === 408 || status === 429 || status === 401 || status === 403;
}
