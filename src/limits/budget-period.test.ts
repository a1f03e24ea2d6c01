import { describe, expect, it } from 'vitest';
import {
  budgetCounterExpiry,
  budgetPeriod,
  budgetPeriodName,
  budgetScope,
  parseBudgetScope,
} from './budget-period.js';
import { estimateToMicroUsd, formatUsd, toMicroUsd } from './money.js';

const wednesday = Date.UTC(2026, 0, 14, 15, 30);

describe('budget periods', () => {
  it('start at UTC midnight, on Mondays and on the first of the month', () => {
    expect(budgetPeriod('day', wednesday)).toEqual({
      periodStart: Date.UTC(2026, 0, 14),
      periodEnd: Date.UTC(2026, 0, 15),
    });
    expect(budgetPeriod('week', wednesday)).toEqual({
      periodStart: Date.UTC(2026, 0, 12),
      periodEnd: Date.UTC(2026, 0, 19),
    });
    expect(budgetPeriod('week', Date.UTC(2026, 0, 18, 23))).toEqual({
      periodStart: Date.UTC(2026, 0, 12),
      periodEnd: Date.UTC(2026, 0, 19),
    });
    expect(budgetPeriod('month', Date.UTC(2026, 11, 31, 23))).toEqual({
      periodStart: Date.UTC(2026, 11, 1),
      periodEnd: Date.UTC(2027, 0, 1),
    });
    expect(budgetPeriod('total', wednesday)).toEqual({ periodStart: 0, periodEnd: Infinity });
  });

  it('are named from their length when the check does not say', () => {
    const check = (period: 'day' | 'week' | 'month' | 'total') => ({
      scope: 'key:k',
      limitUsd: 1,
      estimatedCostUsd: 0,
      ...budgetPeriod(period, wednesday),
    });
    expect(budgetPeriodName(check('day'))).toBe('day');
    expect(budgetPeriodName(check('week'))).toBe('week');
    expect(budgetPeriodName(check('month'))).toBe('month');
    expect(budgetPeriodName(check('total'))).toBe('total');
    expect(budgetPeriodName({ ...check('day'), period: 'week' })).toBe('week');
  });

  it('keep their counters past the end, and forget idle total budgets', () => {
    const day = { scope: 'key:k', limitUsd: 1, estimatedCostUsd: 0, ...budgetPeriod('day', wednesday) };
    expect(budgetCounterExpiry(day, wednesday)).toBe(Date.UTC(2026, 0, 15, 1));
    const total = { ...day, ...budgetPeriod('total', wednesday) };
    expect(budgetCounterExpiry(total, wednesday)).toBe(wednesday + 35 * 86_400_000 + 3_600_000);
  });

  it('scopes round-trip', () => {
    expect(parseBudgetScope(budgetScope({ keyId: 'key_1' }))).toEqual({ keyId: 'key_1' });
    expect(parseBudgetScope(budgetScope({ team: 'a:b' }))).toEqual({ team: 'a:b' });
    expect(() => parseBudgetScope('user:x')).toThrow();
  });
});

describe('money', () => {
  it('counts micro-dollars, estimates rounded up and float noise ignored', () => {
    expect(estimateToMicroUsd(0.1)).toBe(100_000);
    expect(estimateToMicroUsd(0.0000001)).toBe(1);
    expect(toMicroUsd(0.0000004)).toBe(0);
    expect(toMicroUsd(1.2345678)).toBe(1_234_568);
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(0.0042)).toBe('$0.0042');
  });
});
