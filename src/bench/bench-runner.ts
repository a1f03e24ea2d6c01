import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runAutocannon } from './autocannon-load.js';
import { connectionsFor, type BenchOptions, type ModeName, type TargetName } from './bench-options.js';
import type { BenchTarget, StartedTargets } from './bench-targets.js';
import { runClientLoop } from './client-loop.js';
import type { LoadResult } from './load-result.js';
import { sampleProcess, type ProcessSample } from './process-statistics.js';
import type { Progress } from './progress.js';
import { runWrk } from './wrk-load.js';

/**
 * Drives every target in turn: rounds outermost, then modes, then targets in an order that rotates
 * each round, so slow drift of the machine (heat, other tenants) spreads over all targets instead
 * of always landing on the one measured last.
 */

export interface Measurement {
  readonly mode: ModeName;
  readonly round: number;
  readonly target: TargetName;
  readonly connections: number;
  readonly result: LoadResult;
  readonly requestsPerSecond: number;
  /** CPU time of the proxy process per 1,000 completed requests, in milliseconds. */
  readonly proxyCpuMillisecondsPer1000?: number;
  /** The same for the mock provider, which every target shares. */
  readonly mockCpuMillisecondsPer1000?: number;
  readonly rssAfterBytes?: number;
}

export interface RunnerDependencies {
  readonly clockTicks: number;
  readonly progress: Progress;
  readonly useWrk: boolean;
  readonly workDirectory: string;
  readonly signal: AbortSignal;
}

export interface RunnerOutcome {
  readonly measurements: readonly Measurement[];
  /** Each proxy's resident memory before any load, in bytes. */
  readonly idleRssBytes: Readonly<Partial<Record<TargetName, number>>>;
}

/**
 * Lets closed connections and garbage settle, so one run's tail does not land in the next; a tenth
 * of a run, at most half a second.
 */
const longestPauseBetweenRunsMs = 500;
const warmupConnections = 8;

function rotate<Item>(items: readonly Item[], by: number): Item[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

async function sample(pid: number | undefined, clockTicks: number): Promise<ProcessSample | undefined> {
  return pid === undefined ? undefined : sampleProcess(pid, clockTicks);
}

function cpuPer1000(
  before: ProcessSample | undefined,
  after: ProcessSample | undefined,
  completed: number,
): number | undefined {
  if (before === undefined || after === undefined || completed === 0) return undefined;
  return ((after.cpuMilliseconds - before.cpuMilliseconds) * 1000) / completed;
}

function drive(
  mode: ModeName,
  target: BenchTarget,
  connections: number,
  options: BenchOptions,
  dependencies: RunnerDependencies,
): Promise<LoadResult> {
  const durationSeconds = options.durationSeconds;
  const signal = dependencies.signal;
  switch (mode) {
    case 'non-streaming':
      return dependencies.useWrk
        ? runWrk({
            requests: { ...target.load, bodies: [target.load.nonStreamingBody] },
            connections,
            durationSeconds,
            workDirectory: dependencies.workDirectory,
            signal,
          })
        : runAutocannon({ target: target.load, connections, durationSeconds, signal });
    case 'streaming':
      return runClientLoop({
        target: target.load,
        connections,
        durationMs: durationSeconds * 1000,
        kinds: ['streaming'],
        signal,
      });
    case 'sequential':
      // Alternating kinds on one connection: the non-streaming latency and the streaming first
      // byte both come from the same unloaded run.
      return runClientLoop({
        target: target.load,
        connections: 1,
        durationMs: durationSeconds * 1000,
        kinds: ['non-streaming', 'streaming'],
        signal,
      });
    case 'cache-hit':
      // One connection repeating one cacheable request: after the first, Gatehouse answers from
      // its cache (L1; L2 for gatehouse-redis, which runs without L1), the others relay it.
      return runClientLoop({
        target: target.load,
        connections: 1,
        durationMs: durationSeconds * 1000,
        kinds: ['cacheable'],
        signal,
      });
    default: {
      const unknown: never = mode;
      throw new Error(`unknown mode ${String(unknown)}`);
    }
  }
}

export async function measure(
  started: StartedTargets,
  options: BenchOptions,
  dependencies: RunnerDependencies,
): Promise<RunnerOutcome> {
  const { targets, mock } = started;
  const { progress, clockTicks, signal } = dependencies;
  const totalSeconds =
    targets.length * options.warmupSeconds +
    options.rounds * options.modes.length * targets.length * options.durationSeconds;
  let doneSeconds = 0;
  progress.start(totalSeconds);

  /** Runs `work` while the bar advances with the clock over its planned `seconds`. */
  async function timed<Result>(label: string, seconds: number, work: () => Promise<Result>): Promise<Result> {
    const begun = performance.now();
    const tick = setInterval(() => {
      progress.update(doneSeconds + Math.min(seconds, (performance.now() - begun) / 1000), label);
    }, 200);
    try {
      return await work();
    } finally {
      clearInterval(tick);
      doneSeconds += seconds;
      progress.update(doneSeconds, label);
    }
  }

  const idleRssBytes: Partial<Record<TargetName, number>> = {};
  for (const target of targets) {
    const idle = await sample(target.process?.pid, clockTicks);
    if (idle !== undefined) idleRssBytes[target.name] = idle.rssBytes;
    if (options.warmupSeconds > 0) {
      await timed(`warming up ${target.label}`, options.warmupSeconds, () =>
        runClientLoop({
          target: target.load,
          connections: warmupConnections,
          durationMs: options.warmupSeconds * 1000,
          kinds: ['non-streaming', 'streaming'],
          signal,
        }),
      );
    }
  }

  const measurements: Measurement[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const mode of options.modes) {
      for (const target of rotate(targets, round - 1)) {
        signal.throwIfAborted();
        const connections = connectionsFor(mode, options);
        const label = `${mode} · ${target.label} · round ${round}/${options.rounds}`;
        const proxyBefore = await sample(target.process?.pid, clockTicks);
        const mockBefore = await sample(mock.pid, clockTicks);
        const result = await timed(label, options.durationSeconds, () =>
          drive(mode, target, connections, options, dependencies),
        );
        const proxyAfter = await sample(target.process?.pid, clockTicks);
        const mockAfter = await sample(mock.pid, clockTicks);
        const proxyCpu = cpuPer1000(proxyBefore, proxyAfter, result.completed);
        const mockCpu = cpuPer1000(mockBefore, mockAfter, result.completed);
        measurements.push({
          mode,
          round,
          target: target.name,
          connections,
          result,
          requestsPerSecond: result.elapsedSeconds > 0 ? result.completed / result.elapsedSeconds : 0,
          ...(proxyCpu === undefined ? {} : { proxyCpuMillisecondsPer1000: proxyCpu }),
          ...(mockCpu === undefined ? {} : { mockCpuMillisecondsPer1000: mockCpu }),
          ...(proxyAfter === undefined ? {} : { rssAfterBytes: proxyAfter.rssBytes }),
        });
        target.process?.truncateLog();
        await sleep(Math.min(longestPauseBetweenRunsMs, options.durationSeconds * 100), undefined, {
          signal,
        });
      }
    }
  }
  progress.stop();
  return { measurements, idleRssBytes };
}
