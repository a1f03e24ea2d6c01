import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { SoakOptions } from './bench-options.js';
import type { BenchTarget } from './bench-targets.js';
import { runClientLoop } from './client-loop.js';
import type { LoadResult } from './load-result.js';
import { sampleProcess } from './process-statistics.js';
import type { Progress } from './progress.js';
import { slope } from './statistics.js';

/**
 * The soak: Gatehouse under steady load (streaming and non-streaming alternating) for N minutes,
 * its resident memory and V8 heap sampled every few seconds, and the slope of each in MB per hour.
 * A leak of a few hundred bytes per request shows as a steady slope; garbage collection shows as
 * noise around a flat line. The first part of the run is left out of the slope: heaps grow while
 * the JIT compiles and pools fill, and that growth stops.
 */

export interface MemorySample {
  readonly seconds: number;
  readonly rssBytes: number;
  readonly heapUsedBytes?: number;
  /** The heap V8 has committed (young and old generations): RSS that is heap but not live data. */
  readonly heapTotalBytes?: number;
  /** The heap used right after the latest full collection: the floor of the sawtooth. */
  readonly heapAfterFullCollectionBytes?: number;
}

export interface SoakResult {
  readonly minutes: number;
  readonly connections: number;
  readonly completed: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly samples: readonly MemorySample[];
  /** Seconds from the start before which samples are left out of the slopes. */
  readonly settleSeconds: number;
  readonly rssSlopeMegabytesPerHour?: number;
  /** Undefined when the gateway did not answer heap requests. */
  readonly heapSlopeMegabytesPerHour?: number;
  /** The slope of the heap after full collections: the leak signal, free of the sawtooth. */
  readonly heapFloorSlopeMegabytesPerHour?: number;
}

const megabyte = 1024 * 1024;
const heapAnswerTimeoutMs = 2_000;

interface MemoryUsageMessage {
  readonly type: 'memory-sample';
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly heapAfterFullCollection?: number;
}

interface HeapFigures {
  readonly heapUsedBytes?: number;
  readonly heapTotalBytes?: number;
  readonly heapAfterFullCollectionBytes?: number;
}

function requestHeap(child: ChildProcess): Promise<HeapFigures> {
  if (child.send === undefined || !child.connected) return Promise.resolve({});
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish({}), heapAnswerTimeoutMs);
    const onMessage = (message: unknown): void => {
      if (
        typeof message === 'object' &&
        message !== null &&
        (message as { type?: unknown }).type === 'memory-sample'
      ) {
        const usage = message as MemoryUsageMessage;
        finish({
          heapUsedBytes: usage.heapUsed,
          heapTotalBytes: usage.heapTotal,
          ...(usage.heapAfterFullCollection === undefined
            ? {}
            : { heapAfterFullCollectionBytes: usage.heapAfterFullCollection }),
        });
      }
    };
    function finish(value: HeapFigures): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(value);
    }
    child.on('message', onMessage);
    child.send({ type: 'memory-sample-request' });
  });
}

function slopePerHour(samples: readonly MemorySample[], pick: (sample: MemorySample) => number | undefined) {
  const points = samples
    .map((sample) => ({ x: sample.seconds / 3600, y: pick(sample) }))
    .filter((point): point is { x: number; y: number } => point.y !== undefined)
    .map((point) => ({ x: point.x, y: point.y / megabyte }));
  return slope(points);
}

export async function runSoak(
  target: BenchTarget,
  options: SoakOptions,
  dependencies: { readonly clockTicks: number; readonly progress: Progress; readonly signal: AbortSignal },
): Promise<SoakResult> {
  const child = target.process;
  if (child === undefined) throw new Error('the soak needs a target process');
  const durationMs = options.minutes * 60_000;
  // A fifth of the run, at most two minutes: long enough for pools and the JIT to settle.
  const settleSeconds = Math.min(120, (durationMs / 1000) * 0.2);
  const samples: MemorySample[] = [];
  const started = performance.now();
  dependencies.progress.start(durationMs / 1000);

  const takeSample = async (): Promise<void> => {
    const seconds = (performance.now() - started) / 1000;
    const [processSample, heap] = await Promise.all([
      sampleProcess(child.pid, dependencies.clockTicks),
      requestHeap(child.process),
    ]);
    samples.push({
      seconds,
      rssBytes: processSample.rssBytes,
      ...heap,
    });
    child.truncateLog();
    const megabytes = Math.round(processSample.rssBytes / megabyte);
    dependencies.progress.update(seconds, `soak · Gatehouse · RSS ${megabytes} MB`);
  };

  await takeSample();
  let sampling = Promise.resolve();
  const sampler = setInterval(() => {
    sampling = sampling.then(takeSample, takeSample);
  }, options.sampleIntervalSeconds * 1000);
  let load: LoadResult;
  try {
    load = await runClientLoop({
      target: target.load,
      connections: options.connections,
      durationMs,
      kinds: ['non-streaming', 'streaming'],
      signal: dependencies.signal,
    });
  } finally {
    clearInterval(sampler);
    await sampling;
  }
  await takeSample();
  dependencies.progress.stop();
  const settled = samples.filter((sample) => sample.seconds >= settleSeconds);
  const rssSlope = slopePerHour(settled, (sample) => sample.rssBytes);
  const heapSlope = slopePerHour(settled, (sample) => sample.heapUsedBytes);
  const heapFloorSlope = slopePerHour(settled, (sample) => sample.heapAfterFullCollectionBytes);
  return {
    minutes: options.minutes,
    connections: options.connections,
    completed: load.completed,
    errors: load.errors,
    ...(load.firstError === undefined ? {} : { firstError: load.firstError }),
    samples,
    settleSeconds,
    ...(rssSlope === undefined ? {} : { rssSlopeMegabytesPerHour: rssSlope }),
    ...(heapSlope === undefined ? {} : { heapSlopeMegabytesPerHour: heapSlope }),
    ...(heapFloorSlope === undefined ? {} : { heapFloorSlopeMegabytesPerHour: heapFloorSlope }),
  };
}
