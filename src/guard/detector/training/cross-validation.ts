import { createMarginFunction } from '../injection-detector.js';
import type { DetectorDomain, DetectorModel, DomainCalibration } from '../weights-file.js';
import { groupFold } from './folds.js';
import type { Featurised, TrainingRow } from './instances.js';
import { trainLogistic, type TrainingOptions } from './logistic-regression.js';

/**
 * Thresholds come from training data only: k-fold cross-validation by group (a row and what was
 * derived from it never straddle folds), each fold's margins measured by the shipped scoring code
 * on a model trained without it, quantised as the shipped one is.
 */

export interface HeldOutMargin {
  readonly row: TrainingRow;
  readonly domain: DetectorDomain;
  readonly margin: number;
}

export type ModelBuilder = (
  featurised: Featurised,
  bagFilter: (rowIndex: number) => boolean,
) => DetectorModel;

export function crossValidatedMargins(
  rows: readonly TrainingRow[],
  featurised: Featurised,
  folds: number,
  build: ModelBuilder,
): readonly HeldOutMargin[] {
  const margins: HeldOutMargin[] = [];
  const rowFolds = rows.map((row) => groupFold(row.group, folds));
  for (let fold = 0; fold < folds; fold += 1) {
    const model = build(featurised, (rowIndex) => rowFolds[rowIndex] !== fold);
    const marginOf = createMarginFunction(model);
    rows.forEach((row, rowIndex) => {
      if (rowFolds[rowIndex] !== fold) return;
      for (const domain of row.domains)
        margins.push({ row, domain, margin: marginOf(row.text, domain).margin });
    });
  }
  return margins;
}

/** Trains on the bags whose row passes the filter. */
export function trainOn(
  featurised: Featurised,
  bagFilter: (rowIndex: number) => boolean,
  options: TrainingOptions,
): ReturnType<typeof trainLogistic> {
  const bags = featurised.bags.filter((bag) => bagFilter(bag.rowIndex));
  return trainLogistic(bags, featurised.store, options);
}

/**
 * The domain's threshold: the lowest margin at which, for every origin of negatives (deepset,
 * BIPIA, ours), at most that origin's target share of its cross-validated negatives reach it —
 * each origin is held to its own rate, so the large easy sets do not hide the hard negatives
 * (origins without a rate do not constrain it).
 * Then the logistic slope that best fits the cross-validated labels around it (a one-parameter
 * Platt scaling, its offset fixed so the threshold maps to 0.8).
 */
export function calibrate(
  margins: readonly HeldOutMargin[],
  domain: DetectorDomain,
  targetFalsePositiveRates: Readonly<Record<string, number>>,
): DomainCalibration {
  const inDomain = margins.filter((entry) => entry.domain === domain && Number.isFinite(entry.margin));
  const byOrigin = new Map<string, number[]>();
  for (const entry of inDomain) {
    if (entry.row.label !== 0) continue;
    const list = byOrigin.get(entry.row.origin) ?? [];
    list.push(entry.margin);
    byOrigin.set(entry.row.origin, list);
  }
  let threshold = Number.NEGATIVE_INFINITY;
  for (const [origin, list] of [...byOrigin].sort(([left], [right]) => left.localeCompare(right))) {
    const rate = targetFalsePositiveRates[origin];
    if (rate === undefined) continue;
    list.sort((left, right) => right - left);
    const allowed = Math.floor(rate * list.length);
    // Just above the first negative beyond the allowance, so "at or above" leaves it out.
    const bar = list[allowed];
    if (bar !== undefined) threshold = Math.max(threshold, bar + 1e-6);
  }
  if (!Number.isFinite(threshold)) threshold = 0;
  let bestSlope = 1;
  let bestLikelihood = Number.NEGATIVE_INFINITY;
  for (let slope = 0.05; slope <= 20; slope *= 1.1) {
    let likelihood = 0;
    for (const entry of inDomain) {
      const probability = 1 / (1 + Math.exp(-(slope * (entry.margin - threshold) + Math.log(4))));
      likelihood += Math.log(
        entry.row.label === 1 ? Math.max(probability, 1e-12) : Math.max(1 - probability, 1e-12),
      );
    }
    if (likelihood > bestLikelihood) {
      bestLikelihood = likelihood;
      bestSlope = slope;
    }
  }
  return { threshold: Number(threshold.toFixed(6)), slope: Number(bestSlope.toFixed(4)) };
}
