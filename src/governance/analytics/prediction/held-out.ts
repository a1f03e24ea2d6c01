/**
 * Both models are measured the same way: fitted on the older reviews and scored on the most recent
 * ones, which they never saw. Holding out the newest (rather than a random draw) measures what
 * matters in use — predicting reviews that come after the training data — and is deterministic.
 */

/** The share of the samples held out: the most recent fifth, at least one. */
export const heldOutFraction = 0.2;

export interface HeldOutSplit<Sample> {
  readonly training: readonly Sample[];
  readonly heldOut: readonly Sample[];
}

/** `samples` oldest first; with fewer than two samples nothing can be both fitted and measured. */
export function splitHeldOut<Sample>(samples: readonly Sample[]): HeldOutSplit<Sample> {
  if (samples.length < 2) return { training: samples, heldOut: [] };
  const heldOut = Math.min(samples.length - 1, Math.max(1, Math.round(samples.length * heldOutFraction)));
  const cut = samples.length - heldOut;
  return { training: samples.slice(0, cut), heldOut: samples.slice(cut) };
}
