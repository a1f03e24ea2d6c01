import { describe, expect, it } from 'vitest';
import { createCircuitBreakers, type BreakerChannel, type BreakerTransition } from './circuit-breaker.js';

const settings = {
  failureRate: 0.5,
  minimumRequests: 4,
  windowMs: 10_000,
  openMs: 1_000,
  maxOpenMs: 3_500,
  halfOpenProbes: 1,
};

describe('circuit breakers', () => {
  it('opens at the failure rate, refuses while open, probes once when half-open, and closes on success', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    const states: string[] = [];
    breakers.onChange((_target, state) => states.push(state));
    breakers.record('t', true, false);
    breakers.record('t', false, false);
    breakers.record('t', true, false);
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: false });
    breakers.record('t', false, false); // 2 of 4 failed: 50%
    expect(breakers.admit('t')).toEqual({ admitted: false, state: 'open' });
    time = 999;
    expect(breakers.admit('t').admitted).toBe(false);
    time = 1_000;
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: true });
    expect(breakers.admit('t')).toEqual({ admitted: false, state: 'half-open' });
    breakers.record('t', true, true);
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: false });
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when a probe fails, for an open period that grows by the first one each time', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    for (let index = 0; index < 4; index += 1) breakers.record('t', false, false);
    expect(breakers.snapshot()[0]).toMatchObject({ state: 'open', retryAt: 1_000 });
    time = 1_000;
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: true });
    breakers.record('t', false, true);
    expect(breakers.admit('t')).toEqual({ admitted: false, state: 'open' });
    expect(breakers.snapshot()[0]).toMatchObject({ target: 't', state: 'open', retryAt: 3_000 });
    time = 3_000;
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: true });
    breakers.record('t', false, true);
    expect(breakers.snapshot()[0]).toMatchObject({ state: 'open', retryAt: 6_000 });
  });

  it('caps the open period at maxOpenMs however often the probes fail', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    for (let index = 0; index < 4; index += 1) breakers.record('t', false, false);
    const periods: number[] = [];
    for (let round = 0; round < 6; round += 1) {
      const retryAt = breakers.snapshot()[0]?.retryAt ?? 0;
      periods.push(retryAt - time);
      time = retryAt;
      expect(breakers.admit('t')).toEqual({ admitted: true, probe: true });
      breakers.record('t', false, true);
    }
    expect(periods).toEqual([1_000, 2_000, 3_000, 3_500, 3_500, 3_500]);
  });

  it('a maxOpenMs below openMs means a fixed open period', () => {
    let time = 0;
    const breakers = createCircuitBreakers({ ...settings, maxOpenMs: 10 }, undefined, () => time);
    for (let index = 0; index < 4; index += 1) breakers.record('t', false, false);
    time = 1_000;
    breakers.admit('t');
    breakers.record('t', false, true);
    expect(breakers.snapshot()[0]).toMatchObject({ state: 'open', retryAt: 2_000 });
  });

  it('forgives one open per open period the target stays closed, so a recovered target starts short again', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    const failUntilOpen = () => {
      for (let index = 0; index < 4; index += 1) breakers.record('t', false, false);
    };
    const probe = (success: boolean) => {
      time = breakers.snapshot()[0]?.retryAt ?? time;
      expect(breakers.admit('t')).toEqual({ admitted: true, probe: true });
      breakers.record('t', success, true);
    };
    failUntilOpen(); // 1 open: 1 s
    probe(false); // 2 opens: 2 s
    probe(false); // 3 opens: 3 s
    probe(true); // closed at 6 s
    expect(breakers.snapshot()[0]).toMatchObject({ state: 'closed' });
    // Failing again at once: no forgiveness, the fourth open lasts the capped 3.5 s.
    failUntilOpen();
    expect((breakers.snapshot()[0]?.retryAt ?? 0) - time).toBe(3_500);
    probe(true); // closed at 9.5 s with 4 opens
    // Closed 2.5 s (two periods): two forgiven, so this open is the third: 3 s.
    time += 2_500;
    failUntilOpen();
    expect((breakers.snapshot()[0]?.retryAt ?? 0) - time).toBe(3_000);
    probe(true);
    // Healthy far longer than the opens so far: back to the first, short period.
    time += 60_000;
    failUntilOpen();
    expect((breakers.snapshot()[0]?.retryAt ?? 0) - time).toBe(1_000);
  });

  it('forgets failures older than the window', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    for (let index = 0; index < 3; index += 1) breakers.record('t', false, false);
    time = 20_000;
    breakers.record('t', false, false);
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: false });
  });

  it('follows transitions published by another replica', () => {
    const listeners: ((transition: BreakerTransition) => void)[] = [];
    const channel: BreakerChannel = {
      publish: (transition) => listeners.forEach((listener) => listener(transition)),
      subscribe: (listener) => listeners.push(listener),
    };
    const time = 0;
    const first = createCircuitBreakers(settings, channel, () => time);
    const second = createCircuitBreakers(settings, channel, () => time);
    for (let index = 0; index < 4; index += 1) first.record('t', false, false);
    expect(second.admit('t')).toEqual({ admitted: false, state: 'open' });
  });

  it("a follower takes the opener's open period and count, so its own re-open keeps growing", () => {
    const listeners: ((transition: BreakerTransition) => void)[] = [];
    const published: BreakerTransition[] = [];
    const channel: BreakerChannel = {
      publish: (transition) => {
        published.push(transition);
        listeners.forEach((listener) => listener(transition));
      },
      subscribe: (listener) => listeners.push(listener),
    };
    let time = 0;
    const first = createCircuitBreakers(settings, channel, () => time);
    const second = createCircuitBreakers(settings, channel, () => time);
    for (let index = 0; index < 4; index += 1) first.record('t', false, false);
    time = 1_000;
    first.admit('t');
    first.record('t', false, true);
    expect(published.at(-1)).toEqual({ target: 't', state: 'open', retryAt: 3_000, opens: 2 });
    expect(second.snapshot()[0]).toMatchObject({ state: 'open', retryAt: 3_000 });
    time = 3_000;
    expect(second.admit('t')).toEqual({ admitted: true, probe: true });
    second.record('t', false, true);
    expect(second.snapshot()[0]).toMatchObject({ state: 'open', retryAt: 6_000 });
    expect(first.snapshot()[0]).toMatchObject({ state: 'open', retryAt: 6_000 });
  });
});
