import { describe, expect, it } from 'vitest';
import { effectivenessOf } from './policy-effectiveness.js';
import { addOutcome, decayWeight, emptyTally, reputationOf, type ReviewerOutcome } from './reputation.js';

const settings = { lowThreshold: 0.5, minDecisions: 10, halfLifeMs: 30 * 86_400_000 };
const now = Date.UTC(2026, 0, 1);

function tallyOf(outcomes: readonly (readonly [ReviewerOutcome, number])[], at = now) {
  let tally = emptyTally;
  for (const [outcome, count] of outcomes)
    tally = addOutcome(tally, outcome, at, count, now, settings.halfLifeMs);
  return tally;
}

describe('reputation', () => {
  it('is neutral (0.5, no effect on risk) until REPUTATION_MIN_DECISIONS outcomes are known', () => {
    const nine = reputationOf(tallyOf([['denied', 9]]), settings);
    expect(nine).toEqual({
      score: 0.5,
      status: 'neutral',
      reviewed: 9,
      approved: 0,
      denied: 9,
      low: false,
      reliability: 1,
    });
    const ten = reputationOf(tallyOf([['denied', 10]]), settings);
    expect(ten.status).toBe('scored');
    expect(ten.score).toBeCloseTo(1 / 12);
  });

  it('orders agents by what reviewers said, an agent never reviewed staying neutral', () => {
    const approved = reputationOf(tallyOf([['approved', 12]]), settings).score;
    const mixed = reputationOf(
      tallyOf([
        ['approved', 6],
        ['denied', 6],
      ]),
      settings,
    ).score;
    const denied = reputationOf(tallyOf([['denied', 12]]), settings).score;
    const neverReviewed = reputationOf(emptyTally, settings).score;
    expect(approved).toBeGreaterThan(neverReviewed);
    expect(mixed).toBe(0.5);
    expect(denied).toBeLessThan(mixed);
    expect(approved).toBeCloseTo(13 / 14);
  });

  it('below REPUTATION_LOW_THRESHOLD becomes the reliability risk uses; above it has no effect', () => {
    const low = reputationOf(
      tallyOf([
        ['approved', 2],
        ['denied', 10],
      ]),
      settings,
    );
    expect(low.low).toBe(true);
    expect(low.reliability).toBe(low.score);
    const fine = reputationOf(
      tallyOf([
        ['approved', 8],
        ['denied', 4],
      ]),
      settings,
    );
    expect(fine.low).toBe(false);
    expect(fine.reliability).toBe(1);
    // A stricter threshold makes the same record low.
    expect(
      reputationOf(
        tallyOf([
          ['approved', 8],
          ['denied', 4],
        ]),
        { ...settings, lowThreshold: 0.8 },
      ).low,
    ).toBe(true);
  });

  it('never calls a neutral agent low, however high the threshold', () => {
    expect(reputationOf(tallyOf([['denied', 3]]), { ...settings, lowThreshold: 0.9 }).low).toBe(false);
  });

  it('weighs old outcomes less: denials a half-life ago count half, so recent approvals win', () => {
    expect(decayWeight(settings.halfLifeMs, settings.halfLifeMs)).toBeCloseTo(0.5);
    let tally = tallyOf([['denied', 10]], now - 4 * settings.halfLifeMs);
    tally = addOutcome(tally, 'approved', now, 5, now, settings.halfLifeMs);
    const reputation = reputationOf(tally, settings);
    expect(reputation.reviewed).toBe(15);
    // 5 approvals against 10 × 1/16 denials.
    expect(reputation.score).toBeCloseTo(6 / (5 + 10 / 16 + 2));
    expect(reputation.score).toBeGreaterThan(0.75);
  });
});

describe('policy effectiveness', () => {
  const policySettings = { optimizationThreshold: 0.5, minReviews: 4 };

  it('is the share of reviewed decisions reviewers upheld, reported from POLICY min reviews on', () => {
    expect(effectivenessOf(tallyOf([['approved', 3]]), policySettings).effectiveness).toBeUndefined();
    const upheld = effectivenessOf(
      tallyOf([
        ['approved', 3],
        ['denied', 1],
      ]),
      policySettings,
    );
    expect(upheld).toEqual({ effectiveness: 0.75, reviewed: 4, upheld: 3, overturned: 1, flagged: false });
  });

  it('is flagged below POLICY_OPTIMIZATION_THRESHOLD', () => {
    expect(
      effectivenessOf(
        tallyOf([
          ['approved', 1],
          ['denied', 3],
        ]),
        policySettings,
      ).flagged,
    ).toBe(true);
    const strict = { ...policySettings, optimizationThreshold: 0.9 };
    expect(
      effectivenessOf(
        tallyOf([
          ['approved', 3],
          ['denied', 1],
        ]),
        strict,
      ).flagged,
    ).toBe(true);
  });
});
