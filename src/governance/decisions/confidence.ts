import type { AuthorizeRequest, ConfidenceSignal } from '../authorize-request.js';

/**
 * The confidence a decision uses. A signal from the model's own output is preferred; a bare
 * client-asserted number counts only when the operator allows it (a compromised or confused agent
 * can claim 0.99); without either the confidence is missing, and `missing_mode` decides.
 */

export type MeasuredSource = 'token_logprobs' | 'token_probabilities' | 'entropy' | 'unverified';

export type ConfidenceReading =
  | { readonly kind: 'measured'; readonly value: number; readonly source: MeasuredSource }
  | { readonly kind: 'missing' };

function mean(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

function clampUnit(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/**
 * Log-probabilities become the mean of the token probabilities, exp(logprob) averaged: what
 * Lelu's engine computes, so a signal sent to Gatehouse or to Lelu gets the same confidence.
 * (Lelu's SDK computes exp(mean logprob), the geometric mean, which is never higher and falls
 * further on a single unlikely token; clients that pre-compute with it send a bare number.)
 * Validation guarantees a non-empty list, each ≤ 0, and the provider's required field.
 */
export function confidenceFromSignal(signal: ConfidenceSignal): { value: number; source: MeasuredSource } {
  const { tokenLogprobs, tokenProbabilities, entropy, entropyMax } = signal;
  if ((signal.provider === 'openai' || signal.provider === 'anthropic') && tokenLogprobs !== undefined)
    return {
      value: clampUnit(mean(tokenLogprobs.map((logprob) => Math.exp(logprob)))),
      source: 'token_logprobs',
    };
  if (tokenProbabilities !== undefined)
    return { value: clampUnit(mean(tokenProbabilities)), source: 'token_probabilities' };
  if (entropy !== undefined) return { value: clampUnit(1 - entropy / (entropyMax ?? 1)), source: 'entropy' };
  // Unreachable after validation (each provider's field is required); the safest reading is none.
  return { value: 0, source: 'token_probabilities' };
}

export function readConfidence(request: AuthorizeRequest, allowUnverified: boolean): ConfidenceReading {
  if (request.confidenceSignal !== undefined)
    return { kind: 'measured', ...confidenceFromSignal(request.confidenceSignal) };
  if (allowUnverified && request.confidence !== undefined)
    return { kind: 'measured', value: request.confidence, source: 'unverified' };
  return { kind: 'missing' };
}
