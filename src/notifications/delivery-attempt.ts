import type { DeliveryResult, NotificationChannel } from './channel.js';
import type { Notification } from './notification.js';
import type { Timers } from './timers.js';

export interface AttemptOptions {
  readonly timeoutMs: number;
  /** Aborted when the notifier gives up on everything in flight (shutdown). */
  readonly stop: AbortSignal;
  readonly timers: Timers;
}

/**
 * One try of one delivery, bounded by the timeout whatever the channel does: the try's signal is
 * aborted at the deadline, and the answer is taken from whichever comes first, the channel or the
 * deadline. A channel whose client ignores the signal (nodemailer takes none) keeps its socket
 * until its own timeouts close it, but nobody waits for it.
 */
export async function attemptDelivery(
  channel: NotificationChannel,
  notification: Notification,
  options: AttemptOptions,
): Promise<DeliveryResult> {
  const { timeoutMs, stop, timers } = options;
  if (stop.aborted) return { type: 'retryable', reason: 'stopped' };
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, stop]);
  let timer: unknown;
  const deadline = new Promise<DeliveryResult>((resolve) => {
    const settle = (): void =>
      resolve({
        type: 'retryable',
        reason: stop.aborted ? 'stopped' : `no answer within ${timeoutMs} ms`,
      });
    signal.addEventListener('abort', settle, { once: true });
    timer = timers.setTimeout(() => controller.abort(), timeoutMs);
  });
  try {
    return await Promise.race([
      channel
        .deliver(notification, signal)
        .catch((error: unknown): DeliveryResult => ({ type: 'retryable', reason: describeError(error) })),
      deadline,
    ]);
  } finally {
    timers.clearTimeout(timer);
    // Settles the deadline's promise, so nothing waits on it after the race.
    controller.abort();
  }
}

/**
 * An error as a reason: its code (ECONNREFUSED, UND_ERR_SOCKET), never its whole message, which
 * for a client library may quote the URL it was given (Slack's URL is a secret).
 */
export function describeError(error: unknown): string {
  const code = codeOf(error) ?? codeOf((error as { cause?: unknown } | undefined)?.cause);
  if (code !== undefined) return `network error ${code}`;
  return error instanceof Error ? `error ${error.name}` : 'error';
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code) ? code : undefined;
}
