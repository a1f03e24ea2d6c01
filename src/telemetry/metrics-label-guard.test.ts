import { describe, expect, it } from 'vitest';
import { createLabelGuard, otherLabelValue } from './metrics-label-guard.js';

describe('label guard', () => {
  it('admits values up to its budget, then folds new ones into other and keeps admitted ones', () => {
    const guard = createLabelGuard({ budget: 2 });
    expect(guard.value('a')).toBe('a');
    expect(guard.value('b')).toBe('b');
    expect(guard.value('c')).toBe(otherLabelValue);
    expect(guard.value('a')).toBe('a');
    expect(guard.size).toBe(2);
  });

  it('always admits known values, beyond the budget too', () => {
    const guard = createLabelGuard({ budget: 0, known: ['gpt-4o'] });
    expect(guard.value('gpt-4o')).toBe('gpt-4o');
    expect(guard.value('made-up')).toBe(otherLabelValue);
  });

  it('asks a live source about values it has not seen, so keys issued later keep their names', () => {
    const keys = new Set(['key_1']);
    let asked = 0;
    const guard = createLabelGuard({
      budget: 0,
      known: () => {
        asked += 1;
        return keys;
      },
    });
    expect(guard.value('key_2')).toBe(otherLabelValue);
    keys.add('key_2');
    expect(guard.value('key_2')).toBe('key_2');
    expect(guard.value('key_2')).toBe('key_2');
    expect(asked).toBe(2);
  });

  it('accepts a live source that is not a set', () => {
    const guard = createLabelGuard({ budget: 0, known: () => ['x', 'y'][Symbol.iterator]() });
    expect(guard.value('y')).toBe('y');
    expect(guard.value('z')).toBe(otherLabelValue);
  });
});
