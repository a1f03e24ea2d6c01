import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextStep, resultOfStatus, retryAfterMs } from './retry-policy.js';

const settings = { attempts: 5, initialMs: 500, maxMs: 30_000 };
const retryable = (retryAfter?: number) =>
  ({ type: 'retryable', reason: 'HTTP 503', status: 503, retryAfterMs: retryAfter }) as const;

describe('resultOfStatus', () => {
  it('delivers on 2xx, retries 429 and 5xx, refuses every other status', () => {
    expect(resultOfStatus(200, undefined).type).toBe('delivered');
    expect(resultOfStatus(202, undefined).type).toBe('delivered');
    for (const status of [429, 500, 502, 503, 504])
      expect(resultOfStatus(status, undefined).type).toBe('retryable');
    for (const status of [301, 302, 400, 401, 403, 404, 408, 410, 413, 422])
      expect(resultOfStatus(status, undefined)).toEqual({
        type: 'refused',
        reason: `HTTP ${status}`,
        status,
      });
  });

  it('carries the Retry-After of a retryable answer', () => {
    expect(resultOfStatus(429, 2_000)).toEqual({
      type: 'retryable',
      reason: 'HTTP 429',
      status: 429,
      retryAfterMs: 2_000,
    });
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-05-14T09:30:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs(['7'], now)).toBe(7_000);
    expect(retryAfterMs('Thu, 14 May 2026 09:30:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Thu, 14 May 2026 09:29:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    for (const value of [undefined, '', '  ', '-1', '1.5', 'soon'])
      expect(retryAfterMs(value, now)).toBeUndefined();
  });
});

describe('nextStep', () => {
  it('backs off exponentially with equal jitter, capped', () => {
    expect(nextStep(settings, 1, retryable(), () => 0)).toEqual({ type: 'wait', delayMs: 250 });
    expect(nextStep(settings, 1, retryable(), () => 1)).toEqual({ type: 'wait', delayMs: 500 });
    expect(nextStep(settings, 3, retryable(), () => 1)).toEqual({ type: 'wait', delayMs: 2_000 });
    const capped = nextStep({ ...settings, attempts: 10 }, 9, retryable(), () => 1);
    expect(capped).toEqual({ type: 'wait', delayMs: 30_000 });
  });

  it('waits at least as long as the receiver asked, within the cap', () => {
    expect(nextStep(settings, 1, retryable(4_000), () => 0)).toEqual({ type: 'wait', delayMs: 4_000 });
    expect(nextStep(settings, 1, retryable(30_000), () => 0)).toEqual({ type: 'wait', delayMs: 30_000 });
  });

  it('gives up on a Retry-After beyond the cap, and after the last try', () => {
    const beyond = nextStep(settings, 1, retryable(120_000), () => 0);
    expect(beyond).toEqual({
      type: 'give-up',
      reason: 'HTTP 503; Retry-After of 120 s exceeds the 30000 ms cap',
    });
    expect(nextStep(settings, 5, retryable(), () => 0)).toEqual({
      type: 'give-up',
      reason: 'HTTP 503 after 5 tries',
    });
  });

  it('never waits less than half its ceiling nor more than the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, random) => {
          const step = nextStep({ ...settings, attempts: 10 }, attempt, retryable(), () => random);
          const ceiling = Math.min(settings.maxMs, settings.initialMs * 2 ** (attempt - 1));
          expect(step.type).toBe('wait');
          if (step.type !== 'wait') return;
          expect(step.delayMs).toBeGreaterThanOrEqual(Math.floor(ceiling / 2));
          expect(step.delayMs).toBeLessThanOrEqual(settings.maxMs);
        },
      ),
    );
  });
});
