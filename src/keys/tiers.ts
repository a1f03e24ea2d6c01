import type { PrincipalLimits } from './principal.js';
import type { KeyLimits } from './types.js';

/** A tier's default limits; an absent limit is not enforced (unless a default applies). */
export interface TierLimits {
  readonly requestsPerMinute?: number | undefined;
  readonly tokensPerMinute?: number | undefined;
  readonly concurrentRequests?: number | undefined;
}

/**
 * The tiers that exist without configuration. The figures are starting points sized for a trial
 * user, a paying application and a large internal platform; configuration overrides any of them.
 */
export const builtInTiers: Readonly<Record<string, TierLimits>> = Object.freeze({
  free: { requestsPerMinute: 20, tokensPerMinute: 40_000, concurrentRequests: 2 },
  pro: { requestsPerMinute: 600, tokensPerMinute: 1_000_000, concurrentRequests: 20 },
  enterprise: { requestsPerMinute: 6_000, tokensPerMinute: 10_000_000, concurrentRequests: 200 },
});

/** Configured tiers over the built-in ones, limit by limit: a configured tier may change only one figure. */
export function mergeTiers(
  configured: Readonly<Record<string, TierLimits>>,
): Readonly<Record<string, TierLimits>> {
  const merged: Record<string, TierLimits> = { ...builtInTiers };
  for (const [name, tier] of Object.entries(configured)) {
    const base = merged[name] ?? {};
    merged[name] = Object.freeze({
      requestsPerMinute: tier.requestsPerMinute ?? base.requestsPerMinute,
      tokensPerMinute: tier.tokensPerMinute ?? base.tokensPerMinute,
      concurrentRequests: tier.concurrentRequests ?? base.concurrentRequests,
    });
  }
  return Object.freeze(merged);
}

/** The key's overrides over its tier's defaults; requests per minute falls back to the configured default. */
export function resolveLimits(
  tier: TierLimits,
  overrides: KeyLimits,
  defaultRequestsPerMinute: number | undefined,
): PrincipalLimits {
  return Object.freeze({
    requestsPerMinute: overrides.requestsPerMinute ?? tier.requestsPerMinute ?? defaultRequestsPerMinute,
    tokensPerMinute: overrides.tokensPerMinute ?? tier.tokensPerMinute,
    concurrentRequests: overrides.concurrentRequests ?? tier.concurrentRequests,
  });
}
