import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parseExposition, sample } from './metrics-exposition.js';
import { createCounterFamily, createHistogramFamily } from './metrics-families.js';

describe('request-path metric families', () => {
  it('render histograms as Prometheus cumulative buckets, a bound counting as inside its bucket', async () => {
    const registry = new Registry();
    const histogram = createHistogramFamily(registry, {
      name: 'test_seconds',
      help: 'h',
      labelNames: ['route'],
      buckets: [1, 0.5],
    });
    const series = histogram.labels('/a');
    for (const value of [0.1, 0.5, 0.7, 1, 3]) series.observe(value);
    const samples = parseExposition(await registry.metrics());
    expect(sample(samples, 'test_seconds_bucket', { route: '/a', le: '0.5' })).toBe(2);
    expect(sample(samples, 'test_seconds_bucket', { route: '/a', le: '1' })).toBe(4);
    expect(sample(samples, 'test_seconds_bucket', { route: '/a', le: '+Inf' })).toBe(5);
    expect(sample(samples, 'test_seconds_sum', { route: '/a' })).toBeCloseTo(5.3);
    expect(sample(samples, 'test_seconds_count', { route: '/a' })).toBe(5);
  });

  it('render counters with their type and help, and reset with the registry', async () => {
    const registry = new Registry();
    const counter = createCounterFamily(registry, {
      name: 'test_total',
      help: 'Things done.',
      labelNames: ['kind', 'result'],
    });
    counter.labels('a', 'ok').inc();
    counter.labels('a', 'ok').inc(2);
    counter.labels('b', 'ok').inc();
    const text = await registry.metrics();
    expect(text).toContain('# HELP test_total Things done.\n# TYPE test_total counter\n');
    expect(sample(parseExposition(text), 'test_total', { kind: 'a', result: 'ok' })).toBe(3);
    expect((await registry.getMetricsAsJSON())[0]?.values).toEqual([
      { labels: { kind: 'a', result: 'ok' }, value: 3 },
      { labels: { kind: 'b', result: 'ok' }, value: 1 },
    ]);
    registry.resetMetrics();
    expect(sample(parseExposition(await registry.metrics()), 'test_total', { kind: 'a', result: 'ok' })).toBe(
      0,
    );
  });

  it('refuses a second metric of the same name on one registry', () => {
    const registry = new Registry();
    createCounterFamily(registry, { name: 'same_total', help: 'h' });
    expect(() => createCounterFamily(registry, { name: 'same_total', help: 'h' })).toThrow(
      /already been registered/,
    );
  });
});
