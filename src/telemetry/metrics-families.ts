import type { Metric, Registry } from 'prom-client';
import { createChildCache, type ChildCache } from './metrics-children.js';

/**
 * Counters and histograms for the request path. prom-client's own types hash the label values into
 * a string and look the series up in a dictionary on every increment (and format each histogram
 * bound as a property name on every observation): about two thirds of the metrics cost of a
 * request in a profile. These keep each series as a plain object reached through nested maps, so
 * recording is a few additions; the work of formatting happens when Prometheus scrapes.
 *
 * They take part in a prom-client Registry through the contract its own metrics fulfil (`name`,
 * `help`, `type`, `aggregator`, `get()`, `reset()`), so the scrape, the content type and the
 * process metrics stay prom-client's. The exposition is checked by the metrics tests.
 */

type LabelSet = Record<string, string | number>;

interface ExportedValue {
  readonly labels: LabelSet;
  readonly value: number;
  readonly metricName?: string;
}

interface Family<Child> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** The series for these label values, in `labelNames` order; created at zero on first use. */
  labels(...values: readonly string[]): Child;
}

export interface CounterSeries {
  inc(amount?: number): void;
}

export interface HistogramSeries {
  observe(value: number): void;
}

export type CounterFamily = Family<CounterSeries>;
export type HistogramFamily = Family<HistogramSeries>;

interface Definition {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
}

class CounterChild implements CounterSeries {
  value = 0;
  constructor(readonly labels: LabelSet) {}
  inc(amount = 1): void {
    this.value += amount;
  }
}

class HistogramChild implements HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labels: LabelSet,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }
  observe(value: number): void {
    const { bounds } = this;
    let index = 0;
    while (index < bounds.length && value > (bounds[index] ?? Infinity)) index += 1;
    // Past the last bound, the observation lives only in +Inf (the count).
    if (index < bounds.length) this.counts[index] = (this.counts[index] ?? 0) + 1;
    this.sum += value;
    this.count += 1;
  }
}

function labelSet(names: readonly string[], values: readonly string[]): LabelSet {
  const labels: LabelSet = {};
  names.forEach((name, index) => (labels[name] = values[index] ?? ''));
  return labels;
}

export function createCounterFamily(registry: Registry, definition: Definition): CounterFamily {
  const labelNames = definition.labelNames ?? [];
  const series: CounterChild[] = [];
  const children: ChildCache<CounterChild> = createChildCache((values) => {
    const child = new CounterChild(labelSet(labelNames, values));
    series.push(child);
    return child;
  });
  const family = {
    name: definition.name,
    help: definition.help,
    type: 'counter',
    aggregator: 'sum',
    labelNames,
    labels: (...values: readonly string[]) => children.get(...values),
    get: () =>
      Promise.resolve({
        ...metadata(family),
        values: series.map((child): ExportedValue => ({ labels: child.labels, value: child.value })),
      }),
    reset: () => series.forEach((child) => (child.value = 0)),
  };
  register(registry, family);
  return family;
}

export function createHistogramFamily(
  registry: Registry,
  definition: Definition & { readonly buckets: readonly number[] },
): HistogramFamily {
  const labelNames = definition.labelNames ?? [];
  const bounds = [...definition.buckets].sort((left, right) => left - right);
  const series: HistogramChild[] = [];
  const children: ChildCache<HistogramChild> = createChildCache((values) => {
    const child = new HistogramChild(labelSet(labelNames, values), bounds);
    series.push(child);
    return child;
  });
  const family = {
    name: definition.name,
    help: definition.help,
    type: 'histogram',
    aggregator: 'sum',
    labelNames,
    labels: (...values: readonly string[]) => children.get(...values),
    get: () =>
      Promise.resolve({
        ...metadata(family),
        values: series.flatMap((child) => exportHistogram(family.name, child, bounds)),
      }),
    reset: () =>
      series.forEach((child) => {
        child.counts.fill(0);
        child.sum = 0;
        child.count = 0;
      }),
  };
  register(registry, family);
  return family;
}

/** Cumulative buckets (as Prometheus expects), then +Inf, sum and count. */
function exportHistogram(name: string, child: HistogramChild, bounds: readonly number[]): ExportedValue[] {
  const values: ExportedValue[] = [];
  let cumulative = 0;
  bounds.forEach((bound, index) => {
    cumulative += child.counts[index] ?? 0;
    values.push({ labels: { ...child.labels, le: bound }, value: cumulative, metricName: `${name}_bucket` });
  });
  values.push({ labels: { ...child.labels, le: '+Inf' }, value: child.count, metricName: `${name}_bucket` });
  values.push({ labels: child.labels, value: child.sum, metricName: `${name}_sum` });
  values.push({ labels: child.labels, value: child.count, metricName: `${name}_count` });
  return values;
}

function metadata(family: { name: string; help: string; type: string; aggregator: string }) {
  return { name: family.name, help: family.help, type: family.type, aggregator: family.aggregator };
}

function register(registry: Registry, family: object): void {
  // The registry reads only the contract above; its type names prom-client's own classes.
  registry.registerMetric(family as unknown as Metric);
}
