import { describe, expect, it } from 'vitest';
import { windowRanges } from './windows.js';

describe('windows over a long text', () => {
  const layout = { size: 300, stride: 150 };

  it('scores a short text whole', () => {
    expect(windowRanges(120, layout)).toEqual([[0, 120]]);
    expect(windowRanges(300, layout)).toEqual([[0, 300]]);
  });

  it('covers a long text with overlapping windows, the last ending with the text', () => {
    expect(windowRanges(700, layout)).toEqual([
      [0, 300],
      [150, 450],
      [300, 600],
      [400, 700],
    ]);
  });

  it('holds any span of half a window wholly inside one window', () => {
    for (let length = 301; length < 2000; length += 37) {
      const ranges = windowRanges(length, layout);
      for (let start = 0; start + 150 <= length; start += 11) {
        expect(ranges.some(([from, to]) => from <= start && start + 150 <= to)).toBe(true);
      }
    }
  });
});
