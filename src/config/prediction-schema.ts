import { z } from 'zod';

/**
 * `governance.analytics.models`, `.prediction` and `.calibration`: the review-outcome model and the
 * confidence calibrator (docs/governance.md, "Prediction and calibration"). Lelu documents
 * MIN_SAMPLES_FOR_MODEL, MODEL_UPDATE_INTERVAL, CONFIDENCE_MODEL_WINDOW, REVIEW_MODEL_WINDOW,
 * CONFIDENCE_PREDICTION_THRESHOLD and REVIEW_PREDICTION_THRESHOLD and wires in no model; here
 * each is read, and tested.
 */

const durationUnits: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/**
 * Go's duration syntax plus days, as Lelu writes these settings (`30d`, `14d`, `6h`): `90s`,
 * `1d12h`. A bare number is refused, because it does not say its unit.
 */
export function parseLongDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!durationPattern.test(trimmed)) return undefined;
  let milliseconds = 0;
  for (const [, amount = '0', unit = 's'] of trimmed.matchAll(durationPart))
    milliseconds += Number(amount) * (durationUnits[unit] ?? 1_000);
  return Math.round(milliseconds);
}

const day = 86_400_000;

function durationBetween(lowest: number, highest: number, shown: string) {
  return z.union([z.string(), z.number()]).transform((value, context) => {
    const milliseconds = typeof value === 'string' ? parseLongDuration(value) : undefined;
    if (milliseconds === undefined || milliseconds < lowest || milliseconds > highest) {
      context.addIssue({
        code: 'custom',
        message: `expected a duration with its unit between ${shown}, like 6h, 14d, 90m or 1d12h; got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    return milliseconds;
  });
}

/** A year of reviews at most: older ones say little about today's agents. */
const windowSchema = (fallback: string) =>
  durationBetween(1_000, 365 * day, '1s and 365d').prefault(fallback);

export const modelsSchema = z
  .strictObject({
    /** MIN_SAMPLES_FOR_MODEL: reviews in its window before a model is trained and used. */
    min_samples: z.number().int().min(10).max(1_000_000).default(100),
    /**
     * MODEL_UPDATE_INTERVAL: how often both models are retrained. At most 7 days (a longer timer
     * would overflow Node's), at least a second.
     */
    update_interval: durationBetween(1_000, 7 * day, '1s and 7d').prefault('6h'),
  })
  .prefault({});

export const predictionSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** REVIEW_MODEL_WINDOW. */
    window: windowSchema('14d'),
    /** REVIEW_PREDICTION_THRESHOLD: below 0.5 every prediction would pass it. */
    threshold: z.number().min(0.5).max(1).default(0.6),
    auto_resolve: z.enum(['off', 'approve', 'deny', 'both']).default('off'),
  })
  .prefault({});

export const calibrationSchema = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** CONFIDENCE_MODEL_WINDOW. */
    window: windowSchema('30d'),
    /** CONFIDENCE_PREDICTION_THRESHOLD: the least held-out accuracy at which the gates use it. */
    threshold: z.number().min(0).max(1).default(0.7),
  })
  .prefault({});
