import { GatewayError } from '../errors/index.js';
import { budgetPeriodName } from './budget-period.js';
import { retryAfterSeconds } from './duration-format.js';
import type { AdmissionPlan, AdmissionUsage } from './limit-store.js';
import { formatUsd, fromMicroUsd } from './money.js';
import type { BudgetCheck, RateLimitHeaders } from './types.js';

/** Concurrency frees up when some request finishes, which no one can predict; clients retry soon. */
const concurrencyRetryMs = 1_000;

/** Which limit refused a request, for metrics. */
export type RejectingLimit = 'requests' | 'tokens' | 'concurrency' | 'global' | 'budget' | 'unknown';

interface Failure {
  readonly limit: RejectingLimit;
  readonly waitMs: number;
  readonly message: (retry: string) => string;
}

/**
 * The error for a rejected admission. A spent budget wins (waiting out a rate limit would not help);
 * otherwise the message names the limit that takes longest to free up, and `retry-after` is that
 * wait, since every limit must pass at once.
 */
export function rejectionError(
  plan: AdmissionPlan,
  usage: AdmissionUsage,
  budget: BudgetCheck | undefined,
  headers: RateLimitHeaders,
): { readonly error: GatewayError; readonly limit: RejectingLimit } {
  if (plan.budget !== undefined && budget !== undefined && usage.budget !== undefined) {
    const committed = usage.budget.spentMicroUsd + usage.budget.reservedMicroUsd;
    if (committed + plan.budget.estimateMicroUsd > plan.budget.limitMicroUsd) {
      return { error: budgetError(budget, plan.now, fromMicroUsd(committed), headers), limit: 'budget' };
    }
  }
  const failures = rateFailures(plan, usage);
  const binding = failures.reduce<Failure | undefined>(
    (longest, failure) => (longest === undefined || failure.waitMs > longest.waitMs ? failure : longest),
    undefined,
  );
  if (binding === undefined) {
    // A store said no without any limit failing: report it rather than guess which.
    const error = new GatewayError('rate_limited', 'Rate limit reached; retry shortly.', {
      headers: { ...headers, 'retry-after': '1' },
    });
    return { error, limit: 'unknown' };
  }
  if (!Number.isFinite(binding.waitMs)) {
    return {
      error: new GatewayError('rate_limited', binding.message(''), { headers }),
      limit: binding.limit,
    };
  }
  const seconds = retryAfterSeconds(binding.waitMs);
  const error = new GatewayError('rate_limited', binding.message(`retry in ${seconds} s`), {
    headers: { ...headers, 'retry-after': String(seconds) },
  });
  return { error, limit: binding.limit };
}

function rateFailures(plan: AdmissionPlan, usage: AdmissionUsage): Failure[] {
  const failures: Failure[] = [];
  const requestsWait = usage.requests?.waitMs;
  if (plan.requestsPerMinute !== undefined && requestsWait !== undefined) {
    failures.push({
      limit: 'requests',
      waitMs: requestsWait,
      message: (retry) =>
        `Rate limit of ${plan.requestsPerMinute} requests per minute reached for this key; ${retry}.`,
    });
  }
  const tokensWait = usage.tokens?.waitMs;
  if (plan.tokensPerMinute !== undefined && tokensWait !== undefined) {
    const limit = plan.tokensPerMinute;
    failures.push({
      limit: 'tokens',
      waitMs: tokensWait,
      message: (retry) =>
        Number.isFinite(tokensWait)
          ? `Rate limit of ${limit} tokens per minute reached for this key (this request needs about ${plan.estimatedTokens}); ${retry}.`
          : `This request needs about ${plan.estimatedTokens} tokens, more than this key's limit of ${limit} tokens per minute.`,
    });
  }
  const globalWait = usage.global?.waitMs;
  if (plan.globalRequestsPerMinute !== undefined && globalWait !== undefined) {
    failures.push({
      limit: 'global',
      waitMs: globalWait,
      message: (retry) =>
        `The gateway's global rate limit of ${plan.globalRequestsPerMinute} requests per minute is reached; ${retry}.`,
    });
  }
  if (plan.concurrentRequests !== undefined && (usage.inFlight ?? 0) >= plan.concurrentRequests) {
    failures.push({
      limit: 'concurrency',
      waitMs: concurrencyRetryMs,
      message: (retry) =>
        `Limit of ${plan.concurrentRequests} concurrent requests reached for this key; ${retry}, or when one finishes.`,
    });
  }
  return failures;
}

function budgetError(
  budget: BudgetCheck,
  now: number,
  committedUsd: number,
  headers: RateLimitHeaders,
): GatewayError {
  const period = budgetPeriodName(budget);
  const amount = formatUsd(budget.limitUsd);
  const state =
    committedUsd >= budget.limitUsd
      ? 'is spent'
      : `would be exceeded by this request (${formatUsd(committedUsd)} spent or reserved, about ${formatUsd(budget.estimatedCostUsd)} more needed)`;
  if (period === 'total' || !Number.isFinite(budget.periodEnd)) {
    return new GatewayError('budget_exceeded', `Budget of ${amount} ${state}.`, { headers });
  }
  const resetsAt = new Date(budget.periodEnd).toISOString();
  return new GatewayError(
    'budget_exceeded',
    `Budget of ${amount} per ${period} ${state}; it resets at ${resetsAt}.`,
    {
      headers: { ...headers, 'retry-after': String(retryAfterSeconds(budget.periodEnd - now)) },
    },
  );
}
