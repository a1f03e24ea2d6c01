import { formatDuration } from './duration-format.js';
import type { AdmissionPlan, AdmissionUsage, WindowState } from './limit-store.js';
import type { RateLimitHeaders } from './types.js';

/**
 * OpenAI's rate-limit headers (https://platform.openai.com/docs/guides/rate-limits), for the limits
 * that apply. The requests headers describe the key's own limit, or the global one when the key
 * has none. `remaining` counts this request when it was admitted; `reset` is the time until the
 * oldest counted request (or token) leaves the sliding window, i.e. until `remaining` next grows.
 */
export function rateLimitHeaders(plan: AdmissionPlan, usage: AdmissionUsage): RateLimitHeaders {
  const headers: Record<string, string> = {};
  const requests =
    plan.requestsPerMinute !== undefined
      ? { limit: plan.requestsPerMinute, state: usage.requests }
      : plan.globalRequestsPerMinute !== undefined
        ? { limit: plan.globalRequestsPerMinute, state: usage.global }
        : undefined;
  if (requests?.state !== undefined) describe(headers, 'requests', requests.limit, requests.state);
  if (plan.tokensPerMinute !== undefined && usage.tokens !== undefined) {
    describe(headers, 'tokens', plan.tokensPerMinute, usage.tokens);
  }
  return headers;
}

const headerNames = {
  requests: {
    limit: 'x-ratelimit-limit-requests',
    remaining: 'x-ratelimit-remaining-requests',
    reset: 'x-ratelimit-reset-requests',
  },
  tokens: {
    limit: 'x-ratelimit-limit-tokens',
    remaining: 'x-ratelimit-remaining-tokens',
    reset: 'x-ratelimit-reset-tokens',
  },
} as const;

function describe(
  headers: Record<string, string>,
  unit: 'requests' | 'tokens',
  limit: number,
  state: WindowState,
) {
  const names = headerNames[unit];
  headers[names.limit] = String(limit);
  headers[names.remaining] = String(Math.max(0, limit - state.used));
  headers[names.reset] = formatDuration(state.nextReleaseMs);
}
