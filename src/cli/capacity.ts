import type { Command } from 'commander';
import {
  defaultMetricNames,
  MeasureError,
  measureFromMetrics,
  metricsUrl,
  type Measurement,
} from './capacity-measure.js';
import { exitCodes, type CliEnvironment } from './environment.js';

/**
 * `gatehouse capacity`: how many concurrent requests (workers) to provision for, by Little's law
 * with headroom: W = Q·L/U, where Q is the request rate, L the mean latency and U the target
 * utilization (0.6 leaves room for bursts and for one replica to fail or roll). Q and L come from
 * the arguments, or are measured from running gateways' own metrics (`--from`).
 */

export const defaultUtilization = 0.6;
/** Fewer than two replicas cannot survive one failing, draining or being rolled. */
export const minimumReplicas = 2;

export interface CapacityPlan {
  readonly rps: number;
  readonly latencySeconds: number;
  readonly utilization: number;
  /** Q·L/U, unrounded. */
  readonly exactWorkers: number;
  /** Q·L/U rounded up. */
  readonly workers: number;
  readonly perReplica: number | undefined;
  /** ⌈workers / perReplica⌉, at least `minimumReplicas`; undefined without `perReplica`. */
  readonly replicas: number | undefined;
}

const durationPattern = /^(\d+(?:\.\d*)?|\.\d+)(ms|s|m)?$/;

/** "250ms", "0.25s", "0.25" (seconds) and "1m" → seconds; undefined when it is none of these. */
export function parseDurationSeconds(text: string): number | undefined {
  const match = durationPattern.exec(text.trim());
  if (match === null) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? amount / 1000 : unit === 'm' ? amount * 60 : amount;
}

/** Rounds up, but not past float noise: 120 × 0.5 / 0.6 is 100.00000000000001 and means 100. */
function ceiling(value: number): number {
  return Math.ceil(Number(value.toPrecision(12)));
}

export function planCapacity(input: {
  readonly rps: number;
  readonly latencySeconds: number;
  readonly utilization: number;
  readonly perReplica?: number | undefined;
}): CapacityPlan {
  const exactWorkers = (input.rps * input.latencySeconds) / input.utilization;
  const workers = ceiling(exactWorkers);
  const perReplica = input.perReplica;
  return {
    rps: input.rps,
    latencySeconds: input.latencySeconds,
    utilization: input.utilization,
    exactWorkers,
    workers,
    perReplica,
    replicas: perReplica === undefined ? undefined : Math.max(minimumReplicas, ceiling(workers / perReplica)),
  };
}

/** Up to two decimals for numbers ≥ 1, three significant digits below (a latency of 0.0123 s). */
function show(value: number): string {
  const rounded = Math.abs(value) >= 1 ? Number(value.toFixed(2)) : Number(value.toPrecision(3));
  return String(rounded);
}

export function formatPlan(plan: CapacityPlan): string {
  const lines = [
    `Q  request rate          ${show(plan.rps)} req/s`,
    `L  mean latency          ${show(plan.latencySeconds)} s`,
    `U  target utilization    ${show(plan.utilization)}`,
    `W = Q × L / U = ${show(plan.rps)} × ${show(plan.latencySeconds)} / ${show(plan.utilization)} = ${show(plan.exactWorkers)}`,
    `workers: ${plan.workers} (concurrent requests to provision for, rounded up)`,
  ];
  if (plan.perReplica !== undefined && plan.replicas !== undefined) {
    lines.push(
      `replicas: ${plan.replicas} (⌈${plan.workers} / ${plan.perReplica}⌉ at ${plan.perReplica} concurrent requests per replica, at least ${minimumReplicas})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

interface CapacityOptions {
  readonly rps?: string;
  readonly latency?: string;
  readonly utilization: string;
  readonly perReplica?: string;
  readonly from?: string[];
  readonly interval: string;
  readonly metricRequests: string;
  readonly metricDuration: string;
  readonly excludeRoutes: string;
  readonly apiKey?: string;
  readonly json?: boolean;
}

class UsageError extends Error {}

function positiveNumber(
  option: string,
  text: string | undefined,
  maximum = Number.POSITIVE_INFINITY,
): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isFinite(value) || value <= 0 || value > maximum) {
    const range = maximum === Number.POSITIVE_INFINITY ? 'a number > 0' : `a number > 0 and ≤ ${maximum}`;
    throw new UsageError(`${option}: expected ${range}, got "${text ?? ''}"`);
  }
  return value;
}

function duration(option: string, text: string | undefined): number {
  const seconds = text === undefined ? undefined : parseDurationSeconds(text);
  if (seconds === undefined || seconds <= 0) {
    throw new UsageError(
      `${option}: expected a duration > 0 such as 250ms, 0.25s or 0.25 (seconds), got "${text ?? ''}"`,
    );
  }
  return seconds;
}

function routePattern(text: string): RegExp | undefined {
  if (text === '') return undefined;
  try {
    return new RegExp(text);
  } catch {
    throw new UsageError(`--exclude-routes: not a regular expression: "${text}"`);
  }
}

async function inputsFrom(
  options: CapacityOptions,
  environment: CliEnvironment,
): Promise<{ rps: number; latencySeconds: number; measurement?: Measurement }> {
  const from = options.from ?? [];
  if (from.length === 0) {
    if (options.rps === undefined || options.latency === undefined) {
      throw new UsageError('give --rps and --latency, or --from with the metrics URL of running gateways');
    }
    return {
      rps: positiveNumber('--rps', options.rps),
      latencySeconds: duration('--latency', options.latency),
    };
  }
  if (options.rps !== undefined || options.latency !== undefined) {
    throw new UsageError('--from measures the rate and latency itself; leave out --rps and --latency');
  }
  for (const url of from) {
    try {
      metricsUrl(url);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  const apiKey = options.apiKey ?? environment.env.GATEHOUSE_MASTER_KEY;
  const intervalSeconds = duration('--interval', options.interval);
  const excludeRoutes = routePattern(options.excludeRoutes);
  environment.stderr(`measuring ${from.join(', ')} over ${intervalSeconds} s ...\n`);
  const measurement = await measureFromMetrics({
    urls: from,
    intervalMs: intervalSeconds * 1000,
    metrics: { requests: options.metricRequests, duration: options.metricDuration },
    excludeRoutes,
    headers: apiKey === undefined || apiKey === '' ? {} : { authorization: `Bearer ${apiKey}` },
    timeoutMs: 10_000,
  });
  return { rps: measurement.rps, latencySeconds: measurement.latencySeconds, measurement };
}

export function registerCapacityCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
): void {
  program
    .command('capacity')
    .description('workers to provision for, W = Q·L/U, from arguments or from running gateways\u2019 metrics')
    .option('--rps <Q>', 'request rate, requests per second')
    .option('--latency <L>', 'mean latency per request: 250ms, 0.25s or 0.25 (seconds)')
    .option('--utilization <U>', 'target utilization, 0 < U ≤ 1', String(defaultUtilization))
    .option(
      '--per-replica <N>',
      'concurrent requests one replica is sized for; also prints the replica count',
    )
    .option(
      '--from <url...>',
      'measure Q and L from these gateways\u2019 metrics (e.g. http://10.0.0.5:9090/metrics)',
    )
    .option('--interval <duration>', 'with --from: time between the two scrapes', '10s')
    .option('--metric-requests <name>', 'with --from: the request counter', defaultMetricNames.requests)
    .option(
      '--metric-duration <name>',
      'with --from: the request duration histogram',
      defaultMetricNames.duration,
    )
    .option(
      '--exclude-routes <regex>',
      'with --from: leave out series whose route label matches ("" keeps all)',
      '^/(health|healthz|metrics)(/|$)',
    )
    .option(
      '--api-key <key>',
      'with --from: bearer key for /metrics on the main port (default $GATEHOUSE_MASTER_KEY)',
    )
    .option('--json', 'print the plan as JSON')
    .action(async (options: CapacityOptions) => {
      try {
        const utilization = positiveNumber('--utilization', options.utilization, 1);
        const perReplica =
          options.perReplica === undefined ? undefined : positiveNumber('--per-replica', options.perReplica);
        const { rps, latencySeconds, measurement } = await inputsFrom(options, environment);
        const plan = planCapacity({ rps, latencySeconds, utilization, perReplica });
        if (options.json === true) {
          environment.stdout(`${JSON.stringify({ ...plan, measurement: measurement ?? null })}\n`);
        } else {
          if (measurement !== undefined) {
            environment.stdout(
              `measured ${measurement.requests} requests over ${show(measurement.intervalSeconds)} s from ${measurement.endpoints} endpoint(s)\n`,
            );
          }
          environment.stdout(formatPlan(plan));
        }
        setResult(exitCodes.ok);
      } catch (error) {
        if (error instanceof UsageError || error instanceof MeasureError) {
          environment.stderr(`gatehouse capacity: ${error.message}\n`);
          setResult(error instanceof UsageError ? exitCodes.usage : exitCodes.failure);
          return;
        }
        throw error;
      }
    });
}
