import type { BudgetCheck, BudgetPeriodName } from './types.js';

const dayMs = 86_400_000;
/** Counters outlive their period by this much, so a request settling just after the end still finds them. */
const counterGraceMs = 3_600_000;
/**
 * A counter untouched this long is forgotten and re-read from the database when next needed. Bounds
 * Redis memory for `total` budgets (no end) and for long periods of keys no longer used.
 */
const idleCounterMs = 35 * dayMs;

/**
 * The period containing `now`, in UTC: days start at midnight, weeks on Monday (ISO 8601), months
 * on the first; a `total` budget runs from the epoch and never ends.
 */
export function budgetPeriod(
  period: BudgetPeriodName,
  now: number,
): { readonly periodStart: number; readonly periodEnd: number } {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  const day = date.getUTCDate();
  switch (period) {
    case 'day': {
      const start = Date.UTC(year, month, day);
      return { periodStart: start, periodEnd: start + dayMs };
    }
    case 'week': {
      const daysSinceMonday = (date.getUTCDay() + 6) % 7;
      const start = Date.UTC(year, month, day - daysSinceMonday);
      return { periodStart: start, periodEnd: start + 7 * dayMs };
    }
    case 'month':
      return { periodStart: Date.UTC(year, month, 1), periodEnd: Date.UTC(year, month + 1, 1) };
    case 'total':
      return { periodStart: 0, periodEnd: Infinity };
    default: {
      const unknown: never = period;
      throw new Error(`unknown budget period ${String(unknown)}`);
    }
  }
}

/** The period's name for messages, from the check or from the period's length. */
export function budgetPeriodName(check: BudgetCheck): BudgetPeriodName {
  if (check.period !== undefined) return check.period;
  const length = check.periodEnd - check.periodStart;
  if (!Number.isFinite(length)) return 'total';
  if (length <= dayMs + counterGraceMs) return 'day';
  if (length <= 7 * dayMs + counterGraceMs) return 'week';
  if (length <= 31 * dayMs + counterGraceMs) return 'month';
  return 'total';
}

/** When a period's counters may be dropped: after the period, or after a long idle spell. */
export function budgetCounterExpiry(check: BudgetCheck, now: number): number {
  return Math.min(check.periodEnd, now + idleCounterMs) + counterGraceMs;
}

/** The two budget scopes: a key's own budget, or a team's shared by its keys. */
export type BudgetOwner = { readonly keyId: string } | { readonly team: string };

export function budgetScope(owner: BudgetOwner): string {
  return 'keyId' in owner ? `key:${owner.keyId}` : `team:${owner.team}`;
}

/** The inverse of `budgetScope`, for `UsageStore.spentSince`. */
export function parseBudgetScope(scope: string): BudgetOwner {
  if (scope.startsWith('key:')) return { keyId: scope.slice('key:'.length) };
  if (scope.startsWith('team:')) return { team: scope.slice('team:'.length) };
  throw new Error(`budget scope must start with key: or team:, got ${scope}`);
}
