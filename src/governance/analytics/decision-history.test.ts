import { describe, expect, it } from 'vitest';
import { parseSummary, summarise } from './behaviour.js';
import { DecisionHistory } from './decision-history.js';

describe('an agent’s decision history', () => {
  it('keeps the latest decisions up to its capacity, oldest first', () => {
    const history = new DecisionHistory(3);
    expect(history.latest(5)).toEqual([]);
    for (let index = 1; index <= 5; index += 1)
      history.record(
        index * 1_000,
        `action_${index}`,
        index === 4 ? 'deny' : 'allow',
        index === 2 ? undefined : 0.9,
      );
    expect(history.size).toBe(3);
    expect(history.latestTime()).toBe(5_000);
    expect(history.latest(5).map((sample) => sample.action)).toEqual(['action_3', 'action_4', 'action_5']);
    expect(history.latest(2)[0]).toEqual({
      time: 4_000,
      action: 'action_4',
      decision: 'deny',
      confidence: 0.9,
    });
    expect(history.latest(5, 3_000).map((sample) => sample.time)).toEqual([4_000, 5_000]);
  });

  it('keeps its table of action names bounded while actions keep changing', () => {
    const history = new DecisionHistory(4);
    for (let index = 0; index < 1_000; index += 1)
      history.record(index, `action_${index}`, 'allow', undefined);
    expect(history.latest(4).map((sample) => sample.action)).toEqual([
      'action_996',
      'action_997',
      'action_998',
      'action_999',
    ]);
    expect((history as unknown as { actionNames: string[] }).actionNames.length).toBeLessThanOrEqual(16);
  });
});

describe('a behaviour summary', () => {
  it('counts actions, outcomes and hours, sorts confidences and takes the median gap', () => {
    const hour = 3_600_000;
    const summary = summarise([
      { time: 10 * hour, action: 'read', decision: 'allow', confidence: 0.9 },
      { time: 10 * hour + 1_000, action: 'read', decision: 'deny', confidence: 0.5 },
      { time: 11 * hour, action: 'write', decision: 'allow', confidence: undefined },
    ]);
    expect(summary).toMatchObject({
      decisions: 3,
      firstAt: 10 * hour,
      lastAt: 11 * hour,
      actions: { read: 2, write: 1 },
      outcomes: { allow: 2, deny: 1 },
      confidences: [0.5, 0.9],
    });
    expect(summary.hours[10]).toBe(2);
    expect(summary.hours[11]).toBe(1);
    expect(summary.medianGapMs).toBe((1_000 + hour - 1_000) / 2);
  });

  it('reads back only what it wrote: a stored summary edited into nonsense is refused', () => {
    const summary = summarise([{ time: 1, action: 'read', decision: 'allow', confidence: 0.8 }]);
    expect(parseSummary(JSON.parse(JSON.stringify(summary)))).toEqual(summary);
    expect(parseSummary({ ...summary, hours: [1, 2] })).toBeUndefined();
    expect(parseSummary({ ...summary, actions: { read: 'many' } })).toBeUndefined();
    expect(parseSummary(null)).toBeUndefined();
  });
});
