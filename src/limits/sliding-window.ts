import type { WindowState } from './limit-store.js';

/** The rate-limit window; limits are "per minute". */
export const windowMs = 60_000;
/**
 * The window's resolution. One-second buckets keep a window to at most 60 entries whatever the
 * rate (a sorted-set log would hold one entry per request: 600,000 for a global limit of 10,000/s).
 */
export const bucketMs = 1_000;

export function bucketStart(now: number): number {
  return now - (now % bucketMs);
}

/** The start of the oldest bucket still counted at `now`. */
export function windowHorizon(now: number): number {
  return bucketStart(now) - windowMs + bucketMs;
}

/** A window at one moment. */
export interface WindowReading {
  readonly total: number;
  /** The start of the oldest bucket counted, or undefined when none is. */
  readonly oldest: number | undefined;
  /**
   * The buckets counted, oldest first. Listed on demand: only a refusal needs them (for its wait),
   * and listing up to sixty of them on every admission cost more than the rest of the check.
   */
  readonly buckets: () => readonly (readonly [start: number, amount: number])[];
}

/**
 * Reads a window kept as bucket start → amount, deleting buckets that have left it. The Redis
 * script (`redis-limit-scripts.ts`) does the same in Lua; the two must agree.
 */
export function readWindow(buckets: Map<number, number>, now: number): WindowReading {
  const horizon = windowHorizon(now);
  let total = 0;
  let oldest: number | undefined;
  // forEach, not for…of: an entry pair per bucket would be allocated up to sixty times a check.
  buckets.forEach((amount, start) => {
    if (start < horizon) {
      buckets.delete(start);
    } else if (amount > 0) {
      total += amount;
      if (oldest === undefined || start < oldest) oldest = start;
    }
  });
  return { total, oldest, buckets: () => liveBuckets(buckets, horizon) };
}

function liveBuckets(buckets: Map<number, number>, horizon: number): [number, number][] {
  const live: [number, number][] = [];
  for (const [start, amount] of buckets) if (start >= horizon && amount > 0) live.push([start, amount]);
  // Buckets are created as time passes, so a Map (insertion order) holds them oldest first; only a
  // clock that stepped back leaves them out of order.
  return live.sort((left, right) => left[0] - right[0]);
}

/**
 * Whether `cost` more fits under `limit`, and when it would: the moment enough of the oldest
 * buckets have left the window to make room.
 */
export function windowState(reading: WindowReading, cost: number, limit: number, now: number): WindowState {
  const nextReleaseMs = reading.oldest === undefined ? 0 : reading.oldest + windowMs - now;
  // A request that reserves nothing (an estimate of 0 tokens) still needs room for one.
  const excess = reading.total + Math.max(cost, 1) - limit;
  if (excess <= 0) return { used: reading.total, nextReleaseMs, waitMs: undefined };
  if (cost > limit) return { used: reading.total, nextReleaseMs, waitMs: Infinity };
  let freed = 0;
  for (const [start, amount] of reading.buckets()) {
    freed += amount;
    if (freed >= excess) return { used: reading.total, nextReleaseMs, waitMs: start + windowMs - now };
  }
  // Unreachable while cost <= limit (everything counted eventually leaves); kept total for safety.
  return { used: reading.total, nextReleaseMs, waitMs: windowMs };
}

/** The state reported after admitting `cost` at `now` (the amount now sits in the current bucket). */
export function afterAdmission(
  state: WindowState,
  reading: WindowReading,
  cost: number,
  now: number,
): WindowState {
  const oldest = reading.oldest ?? bucketStart(now);
  const nextReleaseMs = cost > 0 || reading.oldest !== undefined ? oldest + windowMs - now : 0;
  return { used: state.used + cost, nextReleaseMs, waitMs: undefined };
}
