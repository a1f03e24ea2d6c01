import { fullDayMs, spanOf, type BehaviourSummary } from './behaviour.js';
import {
  categoricalShift,
  distributionShift,
  hourNovelty,
  novelty,
  proportionRise,
  rateRise,
} from './distances.js';

/**
 * An agent's anomaly: how far its latest decisions (the window) are from its own baseline, on the
 * feature that moved most. Five features, each a distance in [0, 1] (distances.ts): what it does
 * (action mix), how often it is refused (deny rate), how sure it says it is (confidence), how fast
 * it asks (request rate) and when (time of day). The largest is the score, so an alert names one
 * clear reason, and an agent changing in one way only is not averaged away by the four it kept.
 */

export const anomalyFeatures = [
  'action_mix',
  'deny_rate',
  'confidence',
  'request_rate',
  'time_of_day',
] as const;
export type AnomalyFeature = (typeof anomalyFeatures)[number];

/** Each feature's distance; null when the samples cannot tell (too few confidences, a short baseline). */
export type FeatureDistances = Readonly<Record<AnomalyFeature, number | null>>;

export type AnomalyReport =
  | {
      readonly status: 'scored';
      readonly score: number;
      readonly features: FeatureDistances;
      /** The feature with the largest distance. */
      readonly leading: AnomalyFeature;
      readonly windowDecisions: number;
    }
  /** No score yet: no baseline, or fewer than `minimumWindow` decisions since it. */
  | { readonly status: 'no_baseline' | 'collecting'; readonly score: 0; readonly windowDecisions: number };

/** Fewer decisions than this since the baseline say too little to score. */
export const minimumWindow = 10;
/** Confidence distributions are compared only with at least this many values on each side. */
const minimumConfidences = 10;

export function scoreAnomaly(baseline: BehaviourSummary, window: BehaviourSummary): AnomalyReport {
  if (window.decisions < minimumWindow)
    return { status: 'collecting', score: 0, windowDecisions: window.decisions };
  const baselineActions = countsOf(baseline.actions);
  const windowActions = countsOf(window.actions);
  const features: FeatureDistances = {
    // New actions, or the known ones in other proportions.
    action_mix: Math.max(
      novelty(baselineActions, windowActions),
      categoricalShift(baselineActions, windowActions),
    ),
    deny_rate: proportionRise(
      baseline.outcomes.deny ?? 0,
      baseline.decisions,
      window.outcomes.deny ?? 0,
      window.decisions,
    ),
    confidence:
      baseline.confidences.length >= minimumConfidences && window.confidences.length >= minimumConfidences
        ? distributionShift(baseline.confidences, window.confidences)
        : null,
    request_rate: rateRise(baseline.medianGapMs, window.medianGapMs),
    // A baseline shorter than a day knows nothing of the agent's hours.
    time_of_day: spanOf(baseline) >= fullDayMs ? hourNovelty(baseline.hours, window.hours) : null,
  };
  let leading: AnomalyFeature = 'action_mix';
  let score = 0;
  for (const feature of anomalyFeatures) {
    const distance = features[feature];
    if (distance !== null && distance > score) {
      score = distance;
      leading = feature;
    }
  }
  return { status: 'scored', score, features, leading, windowDecisions: window.decisions };
}

/** Lelu's range: the anomaly factor multiplies risk by 1 (normal) up to 1.5 (score 1). */
export function anomalyFactorOf(score: number): number {
  return 1 + Math.min(1, Math.max(0, score)) / 2;
}

function countsOf(record: Readonly<Record<string, number>>): ReadonlyMap<string, number> {
  return new Map(Object.entries(record));
}
