import type { FloatModel } from './logistic-regression.js';

/**
 * Weights as signed bytes with one scale: the file stays small (2^bits × 3 bytes) and exact, since
 * rounding is deterministic. The scale is set by the largest weight; the few weights past the
 * 99.99th percentile of magnitudes are clipped to it, so one outlier does not coarsen the rest.
 */
export interface QuantisedWeights {
  readonly weights: Int8Array;
  readonly scale: number;
}

export function quantiseWeights(model: FloatModel): QuantisedWeights {
  const magnitudes = Float64Array.from(model.weights, Math.abs).filter((value) => value > 0);
  magnitudes.sort();
  const limit = magnitudes[Math.floor((magnitudes.length - 1) * 0.9999)] ?? 1;
  const scale = limit > 0 ? limit / 127 : 1;
  const weights = new Int8Array(model.weights.length);
  for (let index = 0; index < weights.length; index += 1) {
    const level = Math.round((model.weights[index] ?? 0) / scale);
    weights[index] = Math.max(-127, Math.min(127, level));
  }
  return { weights, scale };
}
