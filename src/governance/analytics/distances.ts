/**
 * How far an agent's recent decisions are from its baseline, one feature at a time, each in
 * [0, 1]: 0 is "as usual, or within what chance explains", 1 is "nothing like it". Each distance
 * is a plain effect size (the share of decisions that would have to change) with the part that
 * sampling noise alone produces taken off first, so two samples of ordinary behaviour score 0 and
 * a real change keeps nearly its full size: `(raw − floor) / (1 − floor)`, at least 0.
 */

/** Sampling noise allowed for, in standard errors (about a 95 % band). */
const noiseStandardErrors = 2;
/** The total variation distance's allowance for noise, in multiples of its expected value. */
const categoricalNoise = 1.5;
/** E|N(0, 1)| = √(2/π): the expected absolute deviation of one standardised share. */
const meanAbsoluteNormal = Math.sqrt(2 / Math.PI);
/** Faster than one decision per 10 ms is not told apart: clocks and batching blur it. */
export const shortestGapMs = 10;

function beyondNoise(raw: number, floor: number): number {
  if (floor >= 1) return 0;
  return Math.min(1, Math.max(0, (raw - floor) / (1 - floor)));
}

/**
 * The shift of a categorical distribution (actions, hours): total variation distance between the
 * baseline's shares and the window's (half the sum of absolute differences: the share of the
 * window that would have to change category), less 1.5 times its expected value if both samples
 * came from their pooled distribution.
 */
export function categoricalShift(
  baseline: ReadonlyMap<string, number>,
  window: ReadonlyMap<string, number>,
): number {
  const baselineTotal = total(baseline);
  const windowTotal = total(window);
  if (baselineTotal === 0 || windowTotal === 0) return 0;
  const spread = Math.sqrt(1 / baselineTotal + 1 / windowTotal);
  let difference = 0;
  let expected = 0;
  for (const category of new Set([...baseline.keys(), ...window.keys()])) {
    const inBaseline = baseline.get(category) ?? 0;
    const inWindow = window.get(category) ?? 0;
    difference += Math.abs(inBaseline / baselineTotal - inWindow / windowTotal);
    const pooled = (inBaseline + inWindow) / (baselineTotal + windowTotal);
    expected += meanAbsoluteNormal * Math.sqrt(pooled * (1 - pooled)) * spread;
  }
  // The distance sums many deviations, so it varies less than each: 1.5 times its expectation.
  return beyondNoise(difference / 2, (categoricalNoise * expected) / 2);
}

function total(counts: ReadonlyMap<string, number>): number {
  let sum = 0;
  for (const count of counts.values()) sum += count;
  return sum;
}

/**
 * Novelty: the share of the window's decisions whose category (action) the baseline never saw,
 * less what chance explains. Chance is the Good–Turing estimate of the baseline's unseen share,
 * (categories seen once + 1) / (decisions + 1), plus two standard errors: an agent with a long
 * tail of rare actions meets new ones now and then; one that did five things a hundred times does
 * not.
 */
export function novelty(baseline: ReadonlyMap<string, number>, window: ReadonlyMap<string, number>): number {
  const baselineTotal = total(baseline);
  const windowTotal = total(window);
  if (baselineTotal === 0 || windowTotal === 0) return 0;
  let unseen = 0;
  for (const [category, count] of window) if ((baseline.get(category) ?? 0) === 0) unseen += count;
  let seenOnce = 0;
  for (const count of baseline.values()) if (count === 1) seenOnce += 1;
  const expected = (seenOnce + 1) / (baselineTotal + 1);
  const floor = expected + noiseStandardErrors * Math.sqrt((expected * (1 - expected)) / windowTotal);
  return beyondNoise(unseen / windowTotal, floor);
}

/**
 * A rise in a rate (denials): the window's share less the baseline's, beyond two standard errors
 * of their difference, as a part of the room there was to rise (1 − the baseline's share). A
 * falling deny rate scores 0: an agent refused less often than it used to be is not a warning.
 */
export function proportionRise(
  baselineHits: number,
  baselineTotal: number,
  windowHits: number,
  windowTotal: number,
): number {
  if (baselineTotal === 0 || windowTotal === 0) return 0;
  const before = baselineHits / baselineTotal;
  const after = windowHits / windowTotal;
  const pooled = (baselineHits + windowHits) / (baselineTotal + windowTotal);
  const floor =
    noiseStandardErrors * Math.sqrt(pooled * (1 - pooled) * (1 / baselineTotal + 1 / windowTotal));
  const room = 1 - before - floor;
  if (room <= 0) return 0;
  return Math.min(1, Math.max(0, (after - before - floor) / room));
}

/**
 * The shift of a continuous distribution (confidence): the two-sample Kolmogorov–Smirnov
 * statistic (the largest gap between the two cumulative distributions), less its 5 % critical
 * value 1.36·√((n + m) / (n·m)). Both arrays sorted ascending.
 */
export function distributionShift(baseline: readonly number[], window: readonly number[]): number {
  const n = baseline.length;
  const m = window.length;
  if (n === 0 || m === 0) return 0;
  let i = 0;
  let j = 0;
  let gap = 0;
  while (i < n && j < m) {
    const value = Math.min(baseline[i] ?? 0, window[j] ?? 0);
    while (i < n && (baseline[i] ?? 0) <= value) i += 1;
    while (j < m && (window[j] ?? 0) <= value) j += 1;
    gap = Math.max(gap, Math.abs(i / n - j / m));
  }
  return beyondNoise(gap, 1.36 * Math.sqrt((n + m) / (n * m)));
}

/**
 * A rise in request rate, from the median gap between consecutive decisions (a median, so an
 * overnight pause or one burst inside a sample does not move it): up to twice as fast is ordinary
 * variation and scores 0; r times as fast scores 1 − 2/r (4× 0.5, 10× 0.8, 20× 0.9). Slowing down
 * scores 0.
 */
export function rateRise(baselineMedianGapMs: number, windowMedianGapMs: number): number {
  const before = Math.max(shortestGapMs, baselineMedianGapMs);
  const after = Math.max(shortestGapMs, windowMedianGapMs);
  const ratio = before / after;
  return ratio <= 2 ? 0 : 1 - 2 / ratio;
}

/**
 * Activity at unusual hours: the share of the window's decisions made in an hour of the day (UTC)
 * when, in the baseline, the agent made none in that hour or the hours either side of it. `hours`
 * are 24 counts.
 */
export function hourNovelty(baselineHours: readonly number[], windowHours: readonly number[]): number {
  let windowTotal = 0;
  let unusual = 0;
  for (let hour = 0; hour < 24; hour += 1) {
    const count = windowHours[hour] ?? 0;
    windowTotal += count;
    const around =
      (baselineHours[(hour + 23) % 24] ?? 0) +
      (baselineHours[hour] ?? 0) +
      (baselineHours[(hour + 1) % 24] ?? 0);
    if (around === 0) unusual += count;
  }
  return windowTotal === 0 ? 0 : unusual / windowTotal;
}

/** The median of a list (sorted ascending); 0 when empty. */
export function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return 0;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}
