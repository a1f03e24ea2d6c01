import { runAutocannon } from './autocannon-load.js';
import type { BenchTarget } from './bench-targets.js';
import type { LoadResult, LoadTarget } from './load-result.js';
import { sampleProcess } from './process-statistics.js';
import type { Percentiles } from './statistics.js';
import { runWrk } from './wrk-load.js';

/**
 * The `guard` mode: non-streaming chat throughput of the Gatehouse target as shipped (prompt-
 * injection detection on, action log: every request's user message is scored) against a second
 * gateway alike but with detection off, in alternating rounds (on, off, on, off…) so that drift on
 * a shared machine falls on both alike; each side reports its median run.
 */

export const guardConnections = 50;

export interface GuardRun {
  readonly generator: LoadResult['generator'];
  readonly connections: number;
  readonly requestsPerSecond: number;
  readonly completed: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly latency?: Percentiles;
  /** The gateway's CPU time per 1,000 requests, when its process could be read. */
  readonly gatewayCpuMsPer1000?: number;
  readonly rounds: number;
}

export type GuardBenchResult =
  | { readonly type: 'measured'; readonly on: GuardRun; readonly off: GuardRun }
  | { readonly type: 'skipped'; readonly reason: string };

export interface GuardBenchOptions {
  readonly durationSeconds: number;
  readonly rounds: number;
  readonly warmupSeconds: number;
  readonly signal: AbortSignal;
  readonly useWrk: boolean;
  readonly workDirectory: string;
  readonly clockTicks: number;
  /** Starts the gateway with detection off, pointed at the same mock provider. */
  readonly startGuardOff: () => Promise<{ readonly load: LoadTarget; readonly pid: number | undefined }>;
}

interface Side {
  readonly load: LoadTarget;
  readonly pid: number | undefined;
}

async function measured(side: Side, seconds: number, options: GuardBenchOptions): Promise<GuardRun> {
  const before = side.pid === undefined ? undefined : await sampleProcess(side.pid, options.clockTicks);
  const result = options.useWrk
    ? await runWrk({
        requests: { ...side.load, bodies: [side.load.nonStreamingBody] },
        connections: guardConnections,
        durationSeconds: seconds,
        workDirectory: options.workDirectory,
        signal: options.signal,
      })
    : await runAutocannon({
        target: side.load,
        connections: guardConnections,
        durationSeconds: seconds,
        signal: options.signal,
      });
  const after = side.pid === undefined ? undefined : await sampleProcess(side.pid, options.clockTicks);
  const cpu =
    before === undefined || after === undefined || result.completed === 0
      ? undefined
      : ((after.cpuMilliseconds - before.cpuMilliseconds) * 1000) / result.completed;
  return {
    generator: result.generator,
    connections: guardConnections,
    requestsPerSecond: result.elapsedSeconds > 0 ? result.completed / result.elapsedSeconds : 0,
    completed: result.completed,
    errors: result.errors,
    ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
    ...(result.latency === undefined ? {} : { latency: result.latency }),
    ...(cpu === undefined ? {} : { gatewayCpuMsPer1000: cpu }),
    rounds: 1,
  };
}

/** The run with the median requests/s (the lower middle of an even count); errors of all runs. */
function medianRun(runs: readonly GuardRun[]): GuardRun {
  const sorted = [...runs].sort((first, second) => first.requestsPerSecond - second.requestsPerSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (median === undefined) throw new Error('no guard run to report');
  return { ...median, errors: runs.reduce((sum, run) => sum + run.errors, 0), rounds: runs.length };
}

export async function runGuardBench(
  targets: readonly BenchTarget[],
  options: GuardBenchOptions,
): Promise<GuardBenchResult> {
  const gatehouse = targets.find((target) => target.name === 'gatehouse');
  if (gatehouse === undefined) return { type: 'skipped', reason: 'the gatehouse target is not measured' };
  const on: Side = { load: gatehouse.load, pid: gatehouse.process?.pid };
  const off: Side = await options.startGuardOff();
  if (options.warmupSeconds > 0) {
    await measured(on, options.warmupSeconds, options);
    await measured(off, options.warmupSeconds, options);
  }
  const onRuns: GuardRun[] = [];
  const offRuns: GuardRun[] = [];
  for (let round = 0; round < Math.max(1, options.rounds); round += 1) {
    options.signal.throwIfAborted();
    onRuns.push(await measured(on, options.durationSeconds, options));
    offRuns.push(await measured(off, options.durationSeconds, options));
  }
  return { type: 'measured', on: medianRun(onRuns), off: medianRun(offRuns) };
}

/** 1 − (requests/s with the guard on ÷ off); negative when the guard-on run was the faster. */
export function guardCost(result: GuardBenchResult | undefined): number | undefined {
  if (result?.type !== 'measured' || result.off.requestsPerSecond === 0) return undefined;
  return 1 - result.on.requestsPerSecond / result.off.requestsPerSecond;
}

function describeRun(label: string, run: GuardRun): string {
  const latency =
    run.latency === undefined
      ? ''
      : `, latency p50 ${run.latency.p50.toFixed(3)} ms, p99 ${run.latency.p99.toFixed(3)} ms`;
  const cpu =
    run.gatewayCpuMsPer1000 === undefined
      ? ''
      : `; gateway CPU ${run.gatewayCpuMsPer1000.toFixed(0)} ms per 1,000 requests`;
  const firstError = run.firstError === undefined ? '' : ` (first: ${run.firstError})`;
  return (
    `${label}, ${run.connections} connections (${run.generator}${run.rounds === 1 ? '' : `, median of ${run.rounds} runs`}): ` +
    `${run.requestsPerSecond.toFixed(0)} requests/s${latency}; ${run.errors} errors${firstError}${cpu}.`
  );
}

/** The mode's figures as lines of text, for the terminal and the markdown report alike. */
export function describeGuardBench(result: GuardBenchResult): string[] {
  if (result.type === 'skipped') return [`Not measured: ${result.reason}.`];
  const cost = guardCost(result);
  return [
    describeRun('Guard on (detection, action log), non-streaming chat', result.on),
    describeRun('Guard off, non-streaming chat', result.off),
    ...(cost === undefined ? [] : [`The guard costs ${(cost * 100).toFixed(1)} % of requests/s.`]),
  ];
}
