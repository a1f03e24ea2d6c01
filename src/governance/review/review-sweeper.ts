import type { ReviewQueue } from './review-queue.js';

/**
 * Writes expiries down every `intervalMs` (readers and waiters see an overdue item as expired
 * before that; the sweep makes it so in the database and emits the `resolved` event). Each
 * expired item is claimed by one conditional write, so with several replicas sweeping each
 * expiry is announced once.
 */
export function startReviewSweeper(
  queue: Pick<ReviewQueue, 'sweep'>,
  intervalMs: number,
  onError: (error: unknown, message: string) => void,
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = queue.sweep().catch((error: unknown) => onError(error, 'expiring overdue reviews failed'));
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
