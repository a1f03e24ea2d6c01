import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  categoricalShift,
  distributionShift,
  hourNovelty,
  median,
  novelty,
  proportionRise,
  rateRise,
} from './distances.js';

const counts = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('distances', () => {
  it('are 0 for identical samples and stay in [0, 1] whatever the counts', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.nat(200)),
        fc.dictionary(fc.constantFrom('a', 'b', 'c', 'e'), fc.nat(200)),
        (first, second) => {
          for (const distance of [
            categoricalShift(counts(first), counts(second)),
            novelty(counts(first), counts(second)),
          ]) {
            expect(distance).toBeGreaterThanOrEqual(0);
            expect(distance).toBeLessThanOrEqual(1);
          }
          expect(categoricalShift(counts(first), counts(first))).toBe(0);
        },
      ),
    );
  });

  it('count an action never seen fully, unless the baseline is a long tail of one-offs', () => {
    const steady = counts({ read: 50, list: 50 });
    expect(novelty(steady, counts({ delete: 100 }))).toBe(1);
    expect(novelty(steady, counts({ read: 50, delete: 50 }))).toBeGreaterThan(0.45);
    const oneOffs = counts(
      Object.fromEntries(Array.from({ length: 100 }, (_, index) => [`read_${index}`, 1])),
    );
    expect(novelty(oneOffs, counts({ read_x: 100 }))).toBe(0);
  });

  it('see a shift among known actions beyond chance', () => {
    expect(
      categoricalShift(counts({ read: 90, delete: 10 }), counts({ read: 10, delete: 90 })),
    ).toBeGreaterThan(0.6);
    expect(categoricalShift(counts({ read: 50, delete: 50 }), counts({ read: 45, delete: 55 }))).toBe(0);
  });

  it('count only a rise in denials, in proportion to the room to rise', () => {
    expect(proportionRise(5, 100, 100, 100)).toBeGreaterThan(0.9);
    expect(proportionRise(50, 100, 5, 100)).toBe(0);
    expect(proportionRise(5, 100, 8, 100)).toBe(0);
    expect(proportionRise(0, 0, 5, 10)).toBe(0);
  });

  it('compare confidence distributions by their largest gap, beyond the 5 % critical value', () => {
    const even = Array.from({ length: 100 }, (_, index) => index / 100);
    const shifted = even.map((value) => value + 0.5);
    expect(distributionShift(even, even)).toBe(0);
    expect(distributionShift(even, shifted)).toBeGreaterThan(0.35);
    expect(
      distributionShift(
        even,
        even.map((value) => value + 2),
      ),
    ).toBe(1);
  });

  it('count a request rate only from twice as fast on, from the median gap', () => {
    expect(rateRise(60_000, 30_000)).toBe(0);
    expect(rateRise(60_000, 15_000)).toBe(0.5);
    expect(rateRise(60_000, 6_000)).toBeCloseTo(0.8);
    expect(rateRise(60_000, 600_000)).toBe(0);
    // Gaps under 10 ms are not told apart.
    expect(rateRise(5, 1)).toBe(0);
    expect(median([1, 2, 3])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(median([])).toBe(0);
  });

  it('flag hours the baseline never saw, tolerating the hour either side', () => {
    const office = Array.from({ length: 24 }, (_, hour) => (hour >= 9 && hour <= 17 ? 10 : 0));
    const at = (hour: number) => Array.from({ length: 24 }, (_, index) => (index === hour ? 10 : 0));
    expect(hourNovelty(office, at(12))).toBe(0);
    expect(hourNovelty(office, at(18))).toBe(0);
    expect(hourNovelty(office, at(3))).toBe(1);
  });
});
