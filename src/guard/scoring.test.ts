import { describe, expect, it } from 'vitest';
import type { InjectionDetector, ScoredSource } from './detector/detector-contract.js';
import { createScorer, DetectorFailure } from './scoring.js';

function countingDetector(score: (text: string, source: ScoredSource) => number) {
  const calls: string[] = [];
  const detector: InjectionDetector = {
    score(text, source) {
      calls.push(`${source}:${text}`);
      return { score: score(text, source) };
    },
  };
  return { detector, calls };
}

describe('the guard scorer', () => {
  it('scores a short text once per source, and long texts every time', () => {
    const { detector, calls } = countingDetector((text, source) =>
      source === 'args' ? 0.9 : text.length / 1_000,
    );
    const scorer = createScorer(detector);
    expect(scorer('delete_record', 'args').score).toBe(0.9);
    expect(scorer('delete_record', 'args').score).toBe(0.9);
    expect(scorer('delete_record', 'input').score).toBeCloseTo(0.013);
    const long = 'x'.repeat(300);
    expect(scorer(long, 'input').score).toBeCloseTo(0.3);
    expect(scorer(long, 'input').score).toBeCloseTo(0.3);
    expect(calls).toEqual(['args:delete_record', 'input:delete_record', `input:${long}`, `input:${long}`]);
  });

  it('stays bounded and right when callers send endless distinct texts', () => {
    const { detector, calls } = countingDetector((text) => (text.endsWith('7') ? 1 : 0));
    const scorer = createScorer(detector);
    for (let index = 0; index < 10_000; index += 1) {
      expect(scorer(`text ${index}`, 'args').score).toBe(index % 10 === 7 ? 1 : 0);
    }
    expect(calls).toHaveLength(10_000);
    expect(scorer('text 9999', 'args').score).toBe(0);
    expect(calls).toHaveLength(10_000);
  });

  it('never remembers a failure: a detector that threw is asked again', () => {
    let failing = true;
    const scorer = createScorer({
      score: () => {
        if (failing) throw new Error('model not ready');
        return { score: 0.2 };
      },
    });
    expect(() => scorer('refund', 'args')).toThrow(DetectorFailure);
    failing = false;
    expect(scorer('refund', 'args').score).toBe(0.2);
  });
});
