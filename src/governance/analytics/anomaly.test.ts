import { describe, expect, it } from 'vitest';
import { anomalyFactorOf, scoreAnomaly, type AnomalyReport } from './anomaly.js';
import { summarise } from './behaviour.js';
import { behaviour, seededRandom } from './test-agents.js';

const scored = (report: AnomalyReport) => {
  if (report.status !== 'scored') throw new Error(`not scored: ${report.status}`);
  return report;
};

describe('an agent against its own baseline', () => {
  it('scores ordinary behaviour near 0, for every one of 300 seeds', () => {
    for (let seed = 1; seed <= 300; seed += 1) {
      const random = seededRandom(seed);
      const baseline = behaviour(random, 100, 0);
      const window = behaviour(random, 100, baseline.at(-1)?.time ?? 0);
      expect(scored(scoreAnomaly(summarise(baseline), summarise(window))).score).toBeLessThan(0.3);
    }
  });

  it('scores an agent that behaves, then bursts into actions it never took, by the share of the window the burst took', () => {
    const random = seededRandom(7);
    const baseline = summarise(behaviour(random, 100, 0));
    const start = baseline.lastAt;
    const dangerous = ['delete_account', 'wire_money', 'grant_admin'];
    const scores = [0, 30, 70, 100].map((burst) => {
      const window = behaviour(random, 100, start).map((sample, index) =>
        index >= 100 - burst ? { ...sample, action: dangerous[index % 3] ?? 'wire_money' } : sample,
      );
      return scored(scoreAnomaly(baseline, summarise(window)));
    });
    expect(scores.map((report) => report.leading)).toEqual([
      'action_mix',
      'action_mix',
      'action_mix',
      'action_mix',
    ]);
    const values = scores.map((report) => report.score);
    expect(values[0]).toBeLessThan(0.1);
    expect(values[1]).toBeGreaterThan(0.2);
    expect(values[2]).toBeGreaterThan(0.65);
    expect(values[3]).toBe(1);
    expect([...values].sort((first, second) => first - second)).toEqual(values);
  });

  it('sees a burst of speed, a rise in denials and a shift of confidence, each under its own name', () => {
    const random = seededRandom(11);
    const baseline = summarise(behaviour(random, 100, 0));
    const start = baseline.lastAt;
    const faster = scored(scoreAnomaly(baseline, summarise(behaviour(random, 100, start, { gapMs: 3_000 }))));
    expect(faster.leading).toBe('request_rate');
    expect(faster.score).toBeGreaterThan(0.85);
    const refused = scored(
      scoreAnomaly(baseline, summarise(behaviour(random, 100, start, { denyShare: 0.6 }))),
    );
    expect(refused.leading).toBe('deny_rate');
    expect(refused.score).toBeGreaterThan(0.4);
    const doubtful = scored(
      scoreAnomaly(baseline, summarise(behaviour(random, 100, start, { confidenceFrom: 0.4 }))),
    );
    expect(doubtful.leading).toBe('confidence');
    expect(doubtful.score).toBeGreaterThan(0.7);
  });

  it('does not score slowing down, or being refused less, as anomalous', () => {
    const random = seededRandom(3);
    const baseline = summarise(behaviour(random, 100, 0, { denyShare: 0.3 }));
    const calmer = behaviour(random, 100, baseline.lastAt, { gapMs: 600_000, denyShare: 0 });
    const report = scored(scoreAnomaly(baseline, summarise(calmer)));
    expect(report.features.request_rate).toBe(0);
    expect(report.features.deny_rate).toBe(0);
  });

  it('judges the hours only against a baseline of at least a day, and then flags work at hours the agent never worked', () => {
    const random = seededRandom(5);
    const day = 86_400_000;
    // Office hours only (09:00–12:00 UTC) over four days.
    const office = behaviour(random, 100, 0, { gapMs: 60_000 }).map((sample, index) => ({
      ...sample,
      time: Math.floor(index / 25) * day + 9 * 3_600_000 + (index % 25) * 400_000,
    }));
    const night = behaviour(random, 100, 5 * day).map((sample, index) => ({
      ...sample,
      time: 5 * day + 2 * 3_600_000 + index * 30_000,
    }));
    const report = scored(scoreAnomaly(summarise(office), summarise(night)));
    expect(report.features.time_of_day).toBe(1);
    const shortBaseline = summarise(office.slice(0, 25));
    expect(scored(scoreAnomaly(shortBaseline, summarise(night))).features.time_of_day).toBeNull();
  });

  it('does not score fewer than ten decisions since the baseline', () => {
    const random = seededRandom(1);
    const baseline = summarise(behaviour(random, 100, 0));
    const report = scoreAnomaly(baseline, summarise(behaviour(random, 9, baseline.lastAt)));
    expect(report).toEqual({ status: 'collecting', score: 0, windowDecisions: 9 });
  });

  it('leaves confidence out when too few decisions carried one', () => {
    const random = seededRandom(2);
    const baseline = summarise(behaviour(random, 100, 0));
    const window = behaviour(random, 20, baseline.lastAt).map((sample, index) =>
      index < 15 ? { ...sample, confidence: undefined } : sample,
    );
    expect(scored(scoreAnomaly(baseline, summarise(window))).features.confidence).toBeNull();
  });
});

describe('the anomaly factor', () => {
  it('multiplies risk by 1 for a normal agent up to 1.5 for a score of 1 (Lelu’s range)', () => {
    expect(anomalyFactorOf(0)).toBe(1);
    expect(anomalyFactorOf(0.5)).toBe(1.25);
    expect(anomalyFactorOf(1)).toBe(1.5);
    expect(anomalyFactorOf(7)).toBe(1.5);
    expect(anomalyFactorOf(-1)).toBe(1);
  });
});
