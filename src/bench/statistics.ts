/** Percentiles and medians over the benchmark's samples. */

export interface Percentiles {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

/** Latencies in milliseconds, collected without per-sample allocation. */
export interface SampleRecorder {
  record(value: number): void;
  readonly count: number;
  percentiles(): Percentiles | undefined;
}

export function createSampleRecorder(initialCapacity = 16_384): SampleRecorder {
  let samples = new Float64Array(initialCapacity);
  let count = 0;
  return {
    record(value) {
      if (count === samples.length) {
        const larger = new Float64Array(samples.length * 2);
        larger.set(samples);
        samples = larger;
      }
      samples[count++] = value;
    },
    get count() {
      return count;
    },
    percentiles() {
      if (count === 0) return undefined;
      const sorted = samples.slice(0, count).sort();
      return { p50: rank(sorted, 0.5), p90: rank(sorted, 0.9), p99: rank(sorted, 0.99) };
    },
  };
}

/** Nearest-rank percentile of sorted values (the definition wrk and HdrHistogram use). */
export function rank(sorted: ArrayLike<number>, quantile: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(quantile * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? sorted[middle]
    : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

/** Half the range as a fraction of the median: how much the rounds disagree. */
export function spread(values: readonly number[]): number | undefined {
  const middle = median(values);
  if (middle === undefined || middle === 0 || values.length < 2) return undefined;
  return (Math.max(...values) - Math.min(...values)) / 2 / middle;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly { readonly x: number; readonly y: number }[]): number | undefined {
  if (points.length < 2) return undefined;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let numerator = 0;
  let denominator = 0;
  for (const point of points) {
    numerator += (point.x - meanX) * (point.y - meanY);
    denominator += (point.x - meanX) ** 2;
  }
  return denominator === 0 ? undefined : numerator / denominator;
}
