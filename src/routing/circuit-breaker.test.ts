import { describe, expect, it } from 'vitest';
import { createCircuitBreakers, type BreakerChannel, type BreakerTransition } from './circuit-breaker.js';

const settings = { failureRate: 0.5, minimumRequests: 4, windowMs: 10_000, openMs: 1_000, halfOpenProbes: 1 };

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

  it('re-opens when a probe fails', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    for (let index = 0; index < 4; index += 1) breakers.record('t', false, false);
    time = 1_000;
    expect(breakers.admit('t')).toEqual({ admitted: true, probe: true });
    breakers.record('t', false, true);
    expect(breakers.admit('t')).toEqual({ admitted: false, state: 'open' });
    expect(breakers.snapshot()[0]).toMatchObject({ target: 't', state: 'open', retryAt: 2_000 });
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
});
