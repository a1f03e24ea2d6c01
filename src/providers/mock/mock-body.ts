/**
 * Response bodies as the mock delivers them: chunks on a schedule (a delay before the first, a
 * delay between the others) that may end in a fault. The same body serves the in-process adapter
 * (iterated directly) and the HTTP server (written to the socket), and it stops at once when the
 * request's signal aborts or `cancel()` is called, so an abandoned stream costs nothing.
 */

/** A stream's events in order, with its terminator and a broken event kept apart for the faults. */
export interface MockFrames {
  /** Every event except the terminator. */
  readonly events: readonly Uint8Array[];
  /** `data: [DONE]` or `event: message_stop`. */
  readonly terminator: Uint8Array;
  /** An event whose data is not valid JSON. */
  readonly malformed: Uint8Array;
}

export interface MockBody extends AsyncIterable<Uint8Array> {
  /** The whole body when it is one chunk due at once, so a transport can skip iterating. */
  readonly whole?: Uint8Array;
  /** Stops the body: a pending or later read throws an abort error. */
  cancel(): void;
}

/** How a body ends after its chunks: normally, with a reset connection, or never (a stall). */
export type BodyEnding = 'complete' | 'cut' | 'stall';

export interface BodySchedule {
  readonly firstDelayMs: number;
  readonly betweenDelayMs: number;
  readonly ending: BodyEnding;
}

/** The error a cut body throws: what a socket reports when its peer resets the connection. */
export function connectionResetError(): Error {
  return Object.assign(new Error('The mock provider reset the connection mid-response.'), {
    code: 'ECONNRESET',
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/**
 * Waits on timers that a signal or `cancel()` interrupt. One listener per body, added on the
 * first wait and removed when the body ends, so nothing accumulates on a long-lived signal.
 */
class Waiter {
  private stopReason: unknown;
  private stopped = false;
  private pending:
    { readonly reject: (reason: unknown) => void; readonly timer?: NodeJS.Timeout } | undefined;
  private listening = false;
  private readonly onAbort = (): void => this.stop(abortReason(this.signal));

  constructor(private readonly signal: AbortSignal) {}

  stop(reason: unknown): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stopReason = reason;
    const pending = this.pending;
    this.pending = undefined;
    if (pending !== undefined) {
      if (pending.timer !== undefined) clearTimeout(pending.timer);
      pending.reject(reason);
    }
  }

  throwIfStopped(): void {
    if (this.signal.aborted) this.stop(abortReason(this.signal));
    if (this.stopped) throw this.stopReason;
  }

  /** Resolves after `milliseconds` (never, for Infinity) unless stopped first. */
  wait(milliseconds: number): Promise<void> {
    this.throwIfStopped();
    if (!this.listening) {
      this.listening = true;
      this.signal.addEventListener('abort', this.onAbort, { once: true });
    }
    return new Promise<void>((resolve, reject) => {
      if (milliseconds === Infinity) {
        this.pending = { reject };
        return;
      }
      const timer = setTimeout(() => {
        this.pending = undefined;
        resolve();
      }, milliseconds);
      this.pending = { reject, timer };
    });
  }

  release(): void {
    if (this.listening) this.signal.removeEventListener('abort', this.onAbort);
    this.listening = false;
  }
}

async function* play(chunks: readonly Uint8Array[], schedule: BodySchedule, waiter: Waiter) {
  try {
    for (let index = 0; index < chunks.length; index++) {
      const delay = index === 0 ? schedule.firstDelayMs : schedule.betweenDelayMs;
      if (delay > 0) await waiter.wait(delay);
      else waiter.throwIfStopped();
      yield chunks[index] as Uint8Array;
    }
    if (schedule.ending === 'cut') throw connectionResetError();
    if (schedule.ending === 'stall') await waiter.wait(Infinity);
  } finally {
    waiter.release();
  }
}

class ScheduledBody implements MockBody {
  readonly whole?: Uint8Array;
  private readonly waiter: Waiter;

  constructor(
    private readonly chunks: readonly Uint8Array[],
    private readonly schedule: BodySchedule,
    signal: AbortSignal,
  ) {
    this.waiter = new Waiter(signal);
    const only = chunks[0];
    if (
      chunks.length === 1 &&
      only !== undefined &&
      schedule.firstDelayMs <= 0 &&
      schedule.ending === 'complete'
    ) {
      this.whole = only;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return play(this.chunks, this.schedule, this.waiter);
  }

  cancel(): void {
    this.waiter.stop(new DOMException('The mock response body was cancelled.', 'AbortError'));
  }
}

export function createBody(
  chunks: readonly Uint8Array[],
  schedule: BodySchedule,
  signal: AbortSignal,
): MockBody {
  return new ScheduledBody(chunks, schedule, signal);
}

const immediate: BodySchedule = { firstDelayMs: 0, betweenDelayMs: 0, ending: 'complete' };

/** A body that is one buffer, due at once: error bodies, non-streaming answers, lists. */
export function createWholeBody(bytes: Uint8Array, signal: AbortSignal): MockBody {
  return new ScheduledBody([bytes], immediate, signal);
}

/** Resolves after `milliseconds`; rejects with the signal's reason when it aborts first. */
export async function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  if (milliseconds <= 0) return;
  const waiter = new Waiter(signal);
  try {
    await waiter.wait(milliseconds);
  } finally {
    waiter.release();
  }
}
