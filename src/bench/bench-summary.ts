import type { ModeName, TargetName } from './bench-options.js';
import type { Measurement } from './bench-runner.js';
import { median, spread, type Percentiles } from './statistics.js';

/**
 * Reduces the rounds to one row per mode and target (medians across rounds), and compares each
 * row with the direct call and with the bare proxy measured in the same run: only a comparison
 * inside one run is meaningful, since two runs on a shared 2-core machine differ by ±8%.
 */

export interface AddedLatency {
  readonly p50: number;
  readonly p99: number;
}

export interface Comparison {
  /** This target's requests/s divided by the reference's. */
  readonly requestsPerSecondRatio?: number;
  /** This target's proxy CPU per request divided by the reference's. */
  readonly cpuRatio?: number;
  readonly addedLatency?: AddedLatency;
  readonly addedFirstByte?: AddedLatency;
  readonly addedLastByte?: AddedLatency;
}

export interface TargetSummary {
  readonly mode: ModeName;
  readonly target: TargetName;
  readonly label: string;
  readonly rounds: number;
  readonly connections: number;
  readonly completed: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly requestsPerSecond: number;
  readonly requestsPerSecondSpread?: number;
  readonly latency?: Percentiles;
  readonly firstByte?: Percentiles;
  readonly lastByte?: Percentiles;
  readonly proxyCpuMillisecondsPer1000?: number;
  readonly mockCpuMillisecondsPer1000?: number;
  readonly idleRssBytes?: number;
  /** The largest resident memory seen after a run of this mode. */
  readonly rssAfterBytes?: number;
  readonly versusDirect?: Comparison;
  readonly versusBare?: Comparison;
}

/** exactOptionalPropertyTypes: an optional field is absent, never present as undefined. */
function definedOnly<Shape extends object>(values: {
  readonly [Key in keyof Shape]?: Shape[Key] | undefined;
}): Shape {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Shape;
}

function medianOf(values: readonly (number | undefined)[]): number | undefined {
  return median(values.filter((value): value is number => value !== undefined));
}

function medianPercentiles(values: readonly (Percentiles | undefined)[]): Percentiles | undefined {
  const present = values.filter((value): value is Percentiles => value !== undefined);
  if (present.length === 0) return undefined;
  return {
    p50: median(present.map((value) => value.p50)) ?? Number.NaN,
    p90: median(present.map((value) => value.p90)) ?? Number.NaN,
    p99: median(present.map((value) => value.p99)) ?? Number.NaN,
  };
}

function added(own: Percentiles | undefined, reference: Percentiles | undefined): AddedLatency | undefined {
  if (own === undefined || reference === undefined) return undefined;
  return { p50: own.p50 - reference.p50, p99: own.p99 - reference.p99 };
}

function ratio(own: number | undefined, reference: number | undefined): number | undefined {
  return own === undefined || reference === undefined || reference === 0 ? undefined : own / reference;
}

function compare(own: TargetSummary, reference: TargetSummary | undefined): Comparison | undefined {
  if (reference === undefined || reference.target === own.target) return undefined;
  return definedOnly<Comparison>({
    requestsPerSecondRatio: ratio(own.requestsPerSecond, reference.requestsPerSecond),
    cpuRatio: ratio(own.proxyCpuMillisecondsPer1000, reference.proxyCpuMillisecondsPer1000),
    addedLatency: added(own.latency, reference.latency),
    addedFirstByte: added(own.firstByte, reference.firstByte),
    addedLastByte: added(own.lastByte, reference.lastByte),
  });
}

function summarise(
  mode: ModeName,
  target: TargetName,
  label: string,
  runs: readonly Measurement[],
  idleRssBytes: number | undefined,
): TargetSummary {
  const rates = runs.map((run) => run.requestsPerSecond);
  const firstError = runs.find((run) => run.result.firstError !== undefined)?.result.firstError;
  const rssAfter = runs
    .map((run) => run.rssAfterBytes)
    .filter((value): value is number => value !== undefined);
  const optional = definedOnly<Partial<TargetSummary>>({
    firstError,
    requestsPerSecondSpread: spread(rates),
    latency: medianPercentiles(runs.map((run) => run.result.latency)),
    firstByte: medianPercentiles(runs.map((run) => run.result.firstByte)),
    lastByte: medianPercentiles(runs.map((run) => run.result.lastByte)),
    proxyCpuMillisecondsPer1000: medianOf(runs.map((run) => run.proxyCpuMillisecondsPer1000)),
    mockCpuMillisecondsPer1000: medianOf(runs.map((run) => run.mockCpuMillisecondsPer1000)),
    idleRssBytes,
    rssAfterBytes: rssAfter.length === 0 ? undefined : Math.max(...rssAfter),
  });
  return {
    mode,
    target,
    label,
    rounds: runs.length,
    connections: runs[0]?.connections ?? 0,
    completed: runs.reduce((sum, run) => sum + run.result.completed, 0),
    errors: runs.reduce((sum, run) => sum + run.result.errors, 0),
    requestsPerSecond: median(rates) ?? 0,
    ...optional,
  };
}

export function summariseMeasurements(
  measurements: readonly Measurement[],
  targets: readonly { readonly name: TargetName; readonly label: string }[],
  modes: readonly ModeName[],
  idleRssBytes: Readonly<Partial<Record<TargetName, number>>>,
): TargetSummary[] {
  const summaries: TargetSummary[] = [];
  for (const mode of modes) {
    const rows = targets
      .map((target) => {
        const runs = measurements.filter((run) => run.mode === mode && run.target === target.name);
        return runs.length === 0
          ? undefined
          : summarise(mode, target.name, target.label, runs, idleRssBytes[target.name]);
      })
      .filter((row): row is TargetSummary => row !== undefined);
    const direct = rows.find((row) => row.target === 'direct');
    const bare = rows.find((row) => row.target === 'bare');
    for (const row of rows) {
      const versusDirect = compare(row, direct);
      const fullVersusBare = compare(row, bare);
      // The direct call is below the floor: only its rate says something next to the bare proxy's.
      const versusBare =
        row.target === 'direct' && fullVersusBare?.requestsPerSecondRatio !== undefined
          ? { requestsPerSecondRatio: fullVersusBare.requestsPerSecondRatio }
          : row.target === 'direct'
            ? undefined
            : fullVersusBare;
      summaries.push({
        ...row,
        ...(versusDirect === undefined ? {} : { versusDirect }),
        ...(versusBare === undefined ? {} : { versusBare }),
      });
    }
  }
  return summaries;
}
