import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitIsotonic, isotonicValue } from './isotonic-regression.js';

/** Pool-adjacent-violators: the known answers, the order it guarantees, and no claim beyond the data. */

describe('isotonic regression', () => {
  it('pools adjacent violators into their mean', () => {
    const fit = fitIsotonic([
      { x: 1, y: 1 },
      { x: 2, y: 3 },
      { x: 3, y: 2 },
      { x: 4, y: 4 },
    ]);
    expect(Array.from(fit.x)).toEqual([1, 2, 3, 4]);
    expect(Array.from(fit.y)).toEqual([1, 2.5, 2.5, 4]);
  });

  it('pools equal x values first, whatever their order', () => {
    const one = fitIsotonic([
      { x: 0.8, y: 1 },
      { x: 0.8, y: 0 },
      { x: 0.7, y: 0 },
      { x: 0.9, y: 1 },
    ]);
    const other = fitIsotonic([
      { x: 0.9, y: 1 },
      { x: 0.8, y: 0 },
      { x: 0.7, y: 0 },
      { x: 0.8, y: 1 },
    ]);
    expect(one).toEqual(other);
    expect(isotonicValue(one, 0.8)).toBe(0.5);
  });

  it('is linear between its points and undefined outside them', () => {
    const fit = fitIsotonic([
      { x: 0.7, y: 0 },
      { x: 0.9, y: 1 },
    ]);
    expect(isotonicValue(fit, 0.8)).toBeCloseTo(0.5, 10);
    expect(isotonicValue(fit, 0.7)).toBe(0);
    expect(isotonicValue(fit, 0.9)).toBe(1);
    expect(isotonicValue(fit, 0.69)).toBeUndefined();
    expect(isotonicValue(fit, 0.91)).toBeUndefined();
    expect(isotonicValue(fit, Number.NaN)).toBeUndefined();
    expect(isotonicValue(fitIsotonic([]), 0.5)).toBeUndefined();
  });

  it('is non-decreasing, within the range of the data, for any data', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ x: fc.double({ min: 0, max: 1, noNaN: true }), y: fc.integer({ min: 0, max: 1 }) }),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 20 }),
        (points, probes) => {
          const fit = fitIsotonic(points);
          for (let index = 1; index < fit.y.length; index += 1)
            expect(fit.y[index] ?? 0).toBeGreaterThanOrEqual(fit.y[index - 1] ?? 0);
          const values = probes
            .sort((first, second) => first - second)
            .flatMap((probe) => {
              const value = isotonicValue(fit, probe);
              return value === undefined ? [] : [value];
            });
          for (let index = 1; index < values.length; index += 1)
            expect(values[index] ?? 0).toBeGreaterThanOrEqual((values[index - 1] ?? 0) - 1e-12);
          for (const value of values) {
            expect(value).toBeGreaterThanOrEqual(0);
            expect(value).toBeLessThanOrEqual(1);
          }
        },
      ),
    );
  });
});
