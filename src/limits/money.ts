/**
 * Budgets are counted in integer micro-dollars so that sums are exact in process and in Redis (Lua
 * numbers are doubles, and Redis counters are integers). Rounding loses at most half a micro-dollar
 * per request; an estimate rounds up so that it stays conservative.
 */
const microPerUsd = 1_000_000;
/** Float noise (0.1 * 1e6 = 100000.00000000001) must not turn into a whole extra micro-dollar. */
const tolerance = 1e-6;

export function estimateToMicroUsd(usd: number): number {
  return Math.max(0, Math.ceil(usd * microPerUsd - tolerance));
}

export function toMicroUsd(usd: number): number {
  return Math.max(0, Math.round(usd * microPerUsd));
}

export function fromMicroUsd(micro: number): number {
  return micro / microPerUsd;
}

/** `$5.00`, `$0.25`, `$0.0042`: cents unless the amount needs more digits to be seen. */
export function formatUsd(usd: number): string {
  if (usd === 0 || Math.abs(usd) >= 0.01) return `$${usd.toFixed(2)}`;
  return `$${Number(usd.toPrecision(2)).toString()}`;
}
