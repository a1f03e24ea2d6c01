import { describe, expect, it } from 'vitest';
import { decisionKinds, type DecisionKind } from '../contract.js';
import { forReadOnlyAction, mergeParts, type DecisionPart, type DecisionSource } from './merge.js';

const part = (source: DecisionSource, kind: DecisionKind): DecisionPart => ({
  source,
  kind,
  reason: `${source} says ${kind}`,
});

describe('the most-restrictive merge', () => {
  it.each(decisionKinds.flatMap((left) => decisionKinds.map((right) => [left, right] as const)))(
    '%s with %s → the earlier in deny > human_review > read_only > allow',
    (left, right) => {
      const merged = mergeParts([part('policy', left), part('confidence', right)]);
      expect(merged.kind).toBe(
        decisionKinds[Math.min(decisionKinds.indexOf(left), decisionKinds.indexOf(right))],
      );
    },
  );

  it('takes the reason of the first part with the winning kind', () => {
    const merged = mergeParts([
      part('policy', 'allow'),
      part('confidence', 'read_only'),
      part('risk', 'human_review'),
      part('confidence', 'human_review'),
    ]);
    expect(merged).toEqual({ source: 'risk', kind: 'human_review', reason: 'risk says human_review' });
    expect(mergeParts([part('policy', 'deny'), part('risk', 'deny')]).source).toBe('policy');
  });

  it('lets all-allow parts be decided by the first (the policy)', () => {
    expect(
      mergeParts([part('policy', 'allow'), part('confidence', 'allow'), part('risk', 'allow')]).source,
    ).toBe('policy');
  });

  it('turns a read-only vote into allow for a read-only action, keeping its reason', () => {
    expect(forReadOnlyAction(part('confidence', 'read_only'))).toEqual({
      source: 'confidence',
      kind: 'allow',
      reason: 'confidence says read_only',
    });
    expect(forReadOnlyAction(part('risk', 'human_review')).kind).toBe('human_review');
  });
});
