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
      for (const domain of row.domains) margins.push({ row, domain, margin: marginOf(row.text, domain).margin });
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
 * The domain's threshold: the margin that at most `targetFalsePositiveRate` of its cross-validated
 * negatives reach, each origin (deepset, BIPIA, ours) counted with equal say, so the large
 * easy sets do not hide the hard negatives. Then the logistic slope that best fits the
 * cross-validated labels around it (a one-parameter Platt scaling with the offset fixed so the
 * threshold maps to 0.8).
 */
export function calibrate(
  margins: readonly HeldOutMargin[],
  domain: DetectorDomain,
  targetFalsePositiveRate: number,
): DomainCalibration {
  const inDomain = margins.filter((entry) => entry.domain === domain && Number.isFinite(entry.margin));
  const negatives = inDomain.filter((entry) => entry.row.label === 0);
  const byOrigin = new Map<string, number[]>();
  for (const entry of negatives) {
    const list = byOrigin.get(entry.row.origin) ?? [];
    list.push(entry.margin);
    byOrigin.set(entry.row.origin, list);
  }
  const candidates = [...new Set(negatives.map((entry) => entry.margin))].sort((left, right) => left - right);
  const averageRate = (threshold: number): number => {
    let total = 0;
    for (const list of byOrigin.values()) total += list.filter((margin) => margin >= threshold).length / list.length;
    return total / Math.max(1, byOrigin.size);
  };
  let threshold = candidates[candidates.length - 1] ?? 0;
  for (const candidate of candidates) {
    if (averageRate(candidate) <= targetFalsePositiveRate) {
      threshold = candidate;
      break;
    }
  }
  // Just above the last negative admitted at this rate, so "at or above" excludes it.
  threshold += 1e-6;
  let bestSlope = 1;
  let bestLikelihood = Number.NEGATIVE_INFINITY;
  for (let slope = 0.05; slope <= 20; slope *= 1.1) {
    let likelihood = 0;
    for (const entry of inDomain) {
      const probability = 1 / (1 + Math.exp(-(slope * (entry.margin - threshold) + Math.log(4))));
      likelihood += Math.log(entry.row.label === 1 ? Math.max(probability, 1e-12) : Math.max(1 - probability, 1e-12));
    }
    if (likelihood > bestLikelihood) {
      bestLikelihood = likelihood;
      bestSlope = slope;
    }
  }
  return { threshold: Number(threshold.toFixed(6)), slope: Number(bestSlope.toFixed(4)) };
}
