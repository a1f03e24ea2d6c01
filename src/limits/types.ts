import type { GatewayError } from '../errors/index.js';

/** The limits in force for one caller (tier defaults with the key's overrides applied). */
export interface ResolvedLimits {
  readonly requestsPerMinute: number | undefined;
  readonly tokensPerMinute: number | undefined;
  readonly concurrentRequests: number | undefined;
}

export type BudgetPeriodName = 'day' | 'week' | 'month' | 'total';

export interface BudgetCheck {
  /** `key:<id>` or `team:<name>`. */
  readonly scope: string;
  readonly limitUsd: number;
  /** Unix milliseconds at which the current budget period started, and ends. */
  readonly periodStart: number;
  readonly periodEnd: number;
  /**
   * The period's name for messages ("per day"); derived from the period's length when absent.
   * A `total` budget has no end: give `periodEnd` as `Infinity`.
   */
  readonly period?: BudgetPeriodName;
  /** A conservative cost for this request (prompt estimate plus the most output it may produce). */
  readonly estimatedCostUsd: number;
}

export interface LimitRequest {
  /** Rate-limit scope: the key's id (`master` for the master key). */
  readonly subject: string;
  readonly limits: ResolvedLimits;
  /** Prompt tokens estimated before the call (corrected with actual usage afterwards). */
  readonly estimatedTokens: number;
  readonly budget: BudgetCheck | undefined;
  /** Unix milliseconds. */
  readonly now: number;
}

/** OpenAI-style rate-limit headers (`x-ratelimit-limit-requests`, ...), sent on every response. */
export type RateLimitHeaders = Readonly<Record<string, string>>;

/** Held while the request runs; settling it releases concurrency and corrects the estimates. */
export interface LimitLease {
  settle(actual: { readonly tokens: number; readonly costUsd: number }): Promise<void>;
}

export type LimitDecision =
  | {
      readonly type: 'admitted';
      readonly lease: LimitLease;
      readonly headers: RateLimitHeaders;
      /** How much of the caller's budget is committed, when a budget applies (for the budget gauge). */
      readonly budget?: { readonly scope: string; readonly usedRatio: number };
    }
  /** `rate_limited` or `budget_exceeded`, carrying `retry-after` and the rate-limit headers. */
  | {
      readonly type: 'rejected';
      readonly error: GatewayError;
      readonly headers: RateLimitHeaders;
      /** Which limit refused it, for metrics. */
      readonly limit: 'requests' | 'tokens' | 'concurrency' | 'global' | 'budget' | 'unknown';
    };

export interface Limiter {
  acquire(request: LimitRequest): Promise<LimitDecision>;
  /** `ok`, or why limits currently fall back (e.g. Redis unreachable), for readiness and metrics. */
  health(): { readonly shared: boolean; readonly degraded: string | undefined };
  close(): Promise<void>;
}
