import type { DeliveryResult } from './channel.js';

export interface RetrySettings {
  /** Tries per notification and channel, the first included. */
  readonly attempts: number;
  readonly initialMs: number;
  /** The longest wait between tries, a receiver's Retry-After included. */
  readonly maxMs: number;
}

/**
 * What an HTTP receiver's status says: 2xx delivered; 429 and 5xx are the receiver's trouble
 * (overloaded, restarting) and may pass; any other status (400 a bad payload, 403/404 a revoked or
 * wrong URL, 410 Slack's archived channel, and redirects, which are not followed) would be answered
 * the same way again, so it is not retried.
 */
export function resultOfStatus(status: number, retryAfterMs: number | undefined): DeliveryResult {
  if (status >= 200 && status < 300) return { type: 'delivered', status };
  if (status === 429 || status >= 500)
    return { type: 'retryable', reason: `HTTP ${status}`, status, retryAfterMs };
  return { type: 'refused', reason: `HTTP ${status}`, status };
}

/**
 * `Retry-After` (RFC 9110 section 10.2.3): delay-seconds or an HTTP date, in milliseconds from
 * `now`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Senders must use the IMF-fixdate form (`Sun, 06 Nov 1994 08:49:37 GMT`); Date.parse alone
  // would take `-1` or `1.5` for a year.
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export type RetryStep =
  { readonly type: 'wait'; readonly delayMs: number } | { readonly type: 'give-up'; readonly reason: string };

/**
 * After a retryable failure of try `attempt` (1 for the first): wait and try again, or give up.
 * The wait is exponential backoff with equal jitter (half fixed, half random, so tries from many
 * replicas spread out but none comes back at once), capped at `maxMs`. A receiver's Retry-After is
 * honoured as a lower bound; one beyond the cap ends the delivery, since a try before the
 * receiver's time would only be refused again.
 */
export function nextStep(
  settings: RetrySettings,
  attempt: number,
  result: Extract<DeliveryResult, { type: 'retryable' }>,
  random: () => number,
): RetryStep {
  if (attempt >= settings.attempts)
    return { type: 'give-up', reason: `${result.reason} after ${attempt} tries` };
  const asked = result.retryAfterMs;
  if (asked !== undefined && asked > settings.maxMs) {
    return {
      type: 'give-up',
      reason: `${result.reason}; Retry-After of ${Math.ceil(asked / 1000)} s exceeds the ${settings.maxMs} ms cap`,
    };
  }
  const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** (attempt - 1));
  const backoff = ceiling / 2 + random() * (ceiling / 2);
  return { type: 'wait', delayMs: Math.round(Math.max(backoff, asked ?? 0)) };
}
