import type { ReputationSettings } from './analytics-settings.js';

/**
 * Reputation: how often a person who reviewed an agent's action agreed with it. Only reviewer
 * outcomes count: an approval is a right call, a denial a wrong one, an expiry neither (nobody
 * looked). Decisions nobody reviewed say nothing about whether the agent was right, so an agent
 * that is merely allowed often stays neutral and never outranks one whose reviews were approved
 * (Lelu counts "allowed or sent to review" as correct, which measures the allow rate).
 */

export type ReviewerOutcome = 'approved' | 'denied';

/** Outcomes as of `asOf`: each weighs 2^(−age / half-life); counts are not decayed. */
export interface OutcomeTally {
  readonly approvedWeight: number;
  readonly deniedWeight: number;
  readonly approved: number;
  readonly denied: number;
  /** Unix ms of the latest outcome; 0 without any. */
  readonly latestAt: number;
}

export const emptyTally: OutcomeTally = Object.freeze({
  approvedWeight: 0,
  deniedWeight: 0,
  approved: 0,
  denied: 0,
  latestAt: 0,
});

export function decayWeight(ageMs: number, halfLifeMs: number): number {
  return 2 ** (-Math.max(0, ageMs) / halfLifeMs);
}

/** Adds `count` outcomes that happened at `at`, weighed as of `now`. */
export function addOutcome(
  tally: OutcomeTally,
  outcome: ReviewerOutcome,
  at: number,
  count: number,
  now: number,
  halfLifeMs: number,
): OutcomeTally {
  const weight = count * decayWeight(now - at, halfLifeMs);
  const latestAt = Math.max(tally.latestAt, at);
  return outcome === 'approved'
    ? { ...tally, approvedWeight: tally.approvedWeight + weight, approved: tally.approved + count, latestAt }
    : { ...tally, deniedWeight: tally.deniedWeight + weight, denied: tally.denied + count, latestAt };
}

export type ReputationStatus = 'neutral' | 'scored';

export interface Reputation {
  /** In [0, 1]; 0.5 while neutral. */
  readonly score: number;
  readonly status: ReputationStatus;
  /** Reviewer outcomes counted (approved + denied), not decayed. */
  readonly reviewed: number;
  readonly approved: number;
  readonly denied: number;
  /** Scored and below the low threshold: lowers reliability in risk, and alerts. */
  readonly low: boolean;
  /** What risk takes as the agent's reliability: the score when low, else 1 (no effect). */
  readonly reliability: number;
}

export const neutralReputation = 0.5;

/**
 * The decayed share of approvals with one approval and one denial assumed beforehand (the mean of
 * a Beta(1, 1) prior), so a handful of outcomes cannot reach 0 or 1; neutral until
 * `minDecisions` outcomes are known. A neutral agent is never "low", whatever the threshold, so
 * a new agent is not penalised for being new.
 */
export function reputationOf(tally: OutcomeTally, settings: ReputationSettings): Reputation {
  const { approved, denied } = tally;
  const reviewed = approved + denied;
  if (reviewed < settings.minDecisions)
    return {
      score: neutralReputation,
      status: 'neutral',
      reviewed,
      approved,
      denied,
      low: false,
      reliability: 1,
    };
  const score = (tally.approvedWeight + 1) / (tally.approvedWeight + tally.deniedWeight + 2);
  const low = score < settings.lowThreshold;
  return { score, status: 'scored', reviewed, approved, denied, low, reliability: low ? score : 1 };
}
