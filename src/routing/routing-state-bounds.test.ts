import { describe, expect, it } from 'vitest';
import { createCircuitBreakers, rememberedBreakers } from './circuit-breaker.js';
import { createTargetStats, rememberedLatencies } from './target-stats.js';

/**
 * Routing keeps state per target, and a target's model may be a caller's choice (`provider/any
 * name`, the mock's `mock-*`): that state is bounded however many distinct names arrive.
 */

const settings = {
  failureRate: 0.5,
  minimumRequests: 4,
  windowMs: 10_000,
  openMs: 1_000,
  maxOpenMs: 30_000,
  halfOpenProbes: 1,
};

describe('per-target routing state stays bounded', () => {
  it('keeps a bounded number of circuit breakers, and keeps an open one over closed ones', () => {
    let time = 0;
    const breakers = createCircuitBreakers(settings, undefined, () => time);
    for (let index = 0; index < 4; index += 1) breakers.record('failing', false, false);
    expect(breakers.admit('failing').admitted).toBe(false);
    for (let index = 0; index < rememberedBreakers * 3; index += 1) {
      time += 1;
      breakers.admit(`openai/caller-name-${index}`);
    }
    const snapshot = breakers.snapshot();
    expect(snapshot.length).toBeLessThanOrEqual(rememberedBreakers);
    expect(snapshot.find((breaker) => breaker.target === 'failing')?.state).toBe('open');
  });

  it('forgets in-flight counts that are back at zero and keeps a bounded number of latencies', () => {
    const stats = createTargetStats();
    for (let index = 0; index < rememberedLatencies * 3; index += 1) {
      const target = `openai/caller-name-${index}`;
      stats.started(target);
      stats.finished(target, 10);
    }
    const remembered = Array.from({ length: rememberedLatencies * 3 }, (_, index) =>
      stats.latencyMs(`openai/caller-name-${index}`),
    ).filter((latency) => latency !== undefined);
    expect(remembered.length).toBeLessThanOrEqual(rememberedLatencies);
    // The newest are the ones kept.
    expect(stats.latencyMs(`openai/caller-name-${rememberedLatencies * 3 - 1}`)).toBe(10);
    stats.started('busy');
    expect(stats.inFlight('busy')).toBe(1);
    stats.finished('busy', undefined);
    expect(stats.inFlight('busy')).toBe(0);
  });
});
