import { describe, expect, it } from 'vitest';
import { formatDuration, retryAfterSeconds } from './duration-format.js';

describe('rate-limit durations', () => {
  it('are written the way OpenAI writes them', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(-5)).toBe('0s');
    expect(formatDuration(6)).toBe('6ms');
    expect(formatDuration(0.2)).toBe('1ms');
    expect(formatDuration(12_000)).toBe('12s');
    expect(formatDuration(8_640)).toBe('8.64s');
    expect(formatDuration(59_500)).toBe('59.5s');
    expect(formatDuration(60_000)).toBe('1m0s');
    expect(formatDuration(360_000)).toBe('6m0s');
    expect(formatDuration(3_723_004)).toBe('1h2m3.004s');
  });

  it('round retry-after up to whole seconds, at least one', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1_001)).toBe(2);
    expect(retryAfterSeconds(12_000)).toBe(12);
  });
});
