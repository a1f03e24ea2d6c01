/**
 * Isotonic regression by pool-adjacent-violators: the non-decreasing function of x closest (in
 * squared error) to the observed y. Equal x values are pooled first, so the fit is a function and
 * the order of ties does not matter. The result is a list of points; between them the fit is
 * linear, outside them it is not defined (no claim beyond the data).
 */

export interface IsotonicFit {
  /** Ascending; each x appears at most twice (a pooled block's ends). */
  readonly x: Float64Array;
  /** Non-decreasing, one per x. */
  readonly y: Float64Array;
}

interface Block {
  sum: number;
  weight: number;
  low: number;
  high: number;
}

export function fitIsotonic(points: readonly { readonly x: number; readonly y: number }[]): IsotonicFit {
  const sorted = points.filter((point) => Number.isFinite(point.x) && Number.isFinite(point.y));
  sorted.sort((first, second) => first.x - second.x);
  const blocks: Block[] = [];
  for (const point of sorted) {
    const last = blocks.at(-1);
    if (last !== undefined && last.high === point.x) {
      last.sum += point.y;
      last.weight += 1;
    } else {
      blocks.push({ sum: point.y, weight: 1, low: point.x, high: point.x });
    }
    poolViolators(blocks);
  }
  const x: number[] = [];
  const y: number[] = [];
  for (const block of blocks) {
    const mean = block.sum / block.weight;
    x.push(block.low);
    y.push(mean);
    if (block.high !== block.low) {
      x.push(block.high);
      y.push(mean);
    }
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y) };
}

/** Merges the last block backwards while it breaks the order. */
function poolViolators(blocks: Block[]): void {
  for (;;) {
    const last = blocks.at(-1);
    const previous = blocks.at(-2);
    if (last === undefined || previous === undefined) return;
    if (previous.sum / previous.weight <= last.sum / last.weight) return;
    previous.sum += last.sum;
    previous.weight += last.weight;
    previous.high = last.high;
    blocks.pop();
  }
}

/** The fit at `x`, linear between its points; undefined outside [first x, last x] or for an empty fit. */
export function isotonicValue(fit: IsotonicFit, value: number): number | undefined {
  const { x, y } = fit;
  const count = x.length;
  const first = x[0];
  const last = x[count - 1];
  if (first === undefined || last === undefined || !(value >= first && value <= last)) return undefined;
  // The last point at or below `value` (binary search).
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((x[middle] ?? Infinity) <= value) low = middle;
    else high = middle - 1;
  }
  const x0 = x[low] ?? value;
  const y0 = y[low] ?? 0;
  const x1 = x[low + 1];
  const y1 = y[low + 1];
  if (x1 === undefined || y1 === undefined || x1 === x0) return y0;
  return y0 + ((y1 - y0) * (value - x0)) / (x1 - x0);
}
