import type { DecisionKind } from '../contract.js';
import { median } from './distances.js';

/**
 * What a run of an agent's decisions looked like: the figures anomaly scoring compares. A baseline
 * is one of these, made from BASELINE_SAMPLE_SIZE decisions and stored; the window (the latest
 * decisions since) is another, made when scored. Plain JSON, so a baseline is stored as it is.
 */

/** One decision, as analytics keeps it. */
export interface DecisionSample {
  /** Unix ms. */
  readonly time: number;
  readonly action: string;
  /** What enforcement decided (in shadow mode, what it would have). */
  readonly decision: DecisionKind;
  /** Undefined when the request carried no usable confidence. */
  readonly confidence: number | undefined;
}

export interface BehaviourSummary {
  readonly decisions: number;
  /** Unix ms of the earliest and latest decision. */
  readonly firstAt: number;
  readonly lastAt: number;
  /** Decisions per action name. */
  readonly actions: Readonly<Record<string, number>>;
  /** Decisions per outcome. */
  readonly outcomes: Readonly<Partial<Record<DecisionKind, number>>>;
  /** The confidences measured, ascending. */
  readonly confidences: readonly number[];
  /** Decisions per hour of the day, UTC (24 counts). */
  readonly hours: readonly number[];
  /** The median time between consecutive decisions, in ms. */
  readonly medianGapMs: number;
}

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export function summarise(samples: readonly DecisionSample[]): BehaviourSummary {
  const actions: Record<string, number> = {};
  const outcomes: Partial<Record<DecisionKind, number>> = {};
  const confidences: number[] = [];
  const hours: number[] = Array.from({ length: 24 }, () => 0);
  const times: number[] = [];
  for (const sample of samples) {
    actions[sample.action] = (actions[sample.action] ?? 0) + 1;
    outcomes[sample.decision] = (outcomes[sample.decision] ?? 0) + 1;
    if (sample.confidence !== undefined) confidences.push(sample.confidence);
    const hour = Math.floor((((sample.time % dayMs) + dayMs) % dayMs) / hourMs);
    hours[hour] = (hours[hour] ?? 0) + 1;
    times.push(sample.time);
  }
  confidences.sort((first, second) => first - second);
  // Arrival order is not time order across replicas: gaps are taken between sorted times.
  times.sort((first, second) => first - second);
  const gaps: number[] = [];
  for (let index = 1; index < times.length; index += 1)
    gaps.push((times[index] ?? 0) - (times[index - 1] ?? 0));
  gaps.sort((first, second) => first - second);
  return {
    decisions: samples.length,
    firstAt: times[0] ?? 0,
    lastAt: times.at(-1) ?? 0,
    actions,
    outcomes,
    confidences,
    hours,
    medianGapMs: median(gaps),
  };
}

/** The span a summary covers, in ms. */
export function spanOf(summary: BehaviourSummary): number {
  return summary.lastAt - summary.firstAt;
}

export const fullDayMs = dayMs;

/**
 * A stored summary read back: the fields checked, so a row edited by hand (or from a future
 * version) is refused rather than scored.
 */
export function parseSummary(value: unknown): BehaviourSummary | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const numbers = ['decisions', 'firstAt', 'lastAt', 'medianGapMs'] as const;
  if (!numbers.every((name) => typeof record[name] === 'number' && Number.isFinite(record[name])))
    return undefined;
  const { actions, outcomes, confidences, hours } = record;
  if (!isCountRecord(actions) || !isCountRecord(outcomes)) return undefined;
  if (!isNumberList(confidences) || !isNumberList(hours) || hours.length !== 24) return undefined;
  return value as BehaviourSummary;
}

function isCountRecord(value: unknown): value is Record<string, number> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((count) => typeof count === 'number' && Number.isFinite(count))
  );
}

function isNumberList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number' && Number.isFinite(item));
}
