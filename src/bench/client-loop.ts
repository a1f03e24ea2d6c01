import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadResult, LoadTarget } from './load-result.js';
import { createSampleRecorder } from './statistics.js';

/**
 * A closed-loop load generator on undici: `connections` loops, each sending its next request when
 * the previous answer has been read to the end. Used where autocannon and wrk cannot see what
 * matters: the first byte of a stream (they measure whole responses only) and one-connection
 * sequential latency at sub-millisecond resolution.
 */

export type RequestKind = 'non-streaming' | 'streaming' | 'cacheable';

export interface ClientLoopOptions {
  readonly target: LoadTarget;
  readonly connections: number;
  readonly durationMs: number;
  /** Each loop cycles through these kinds, request after request. */
  readonly kinds: readonly RequestKind[];
  readonly signal?: AbortSignal;
}

/** How long requests still in flight at the end may take before they are cut. */
const lateRequestGraceMs = 10_000;

export async function runClientLoop(options: ClientLoopOptions): Promise<LoadResult> {
  const { target } = options;
  const pool = new Pool(target.url, { connections: options.connections, pipelining: 1 });
  const latency = createSampleRecorder();
  const firstByte = createSampleRecorder();
  const lastByte = createSampleRecorder();
  let errors = 0;
  let firstError: string | undefined;
  const hardStop = AbortSignal.any([
    AbortSignal.timeout(options.durationMs + lateRequestGraceMs),
    ...(options.signal === undefined ? [] : [options.signal]),
  ]);
  const started = performance.now();
  const deadline = started + options.durationMs;

  const fail = (reason: string): void => {
    errors += 1;
    firstError ??= reason;
  };

  async function loop(offset: number): Promise<void> {
    for (let sent = offset; performance.now() < deadline && !hardStop.aborted; sent++) {
      const kind = options.kinds[sent % options.kinds.length] ?? 'non-streaming';
      const begun = performance.now();
      try {
        const response = await pool.request({
          method: 'POST',
          path: target.path,
          headers: target.headers,
          body:
            kind === 'streaming'
              ? target.streamingBody
              : kind === 'cacheable'
                ? target.cacheableBody
                : target.nonStreamingBody,
          signal: hardStop,
        });
        let first = -1;
        for await (const _chunk of response.body) {
          if (first === -1) first = performance.now();
        }
        const finished = performance.now();
        if (response.statusCode < 200 || response.statusCode > 299) {
          fail(`status ${response.statusCode}`);
        } else if (kind === 'streaming') {
          firstByte.record((first === -1 ? finished : first) - begun);
          lastByte.record(finished - begun);
        } else {
          latency.record(finished - begun);
        }
      } catch (error) {
        if (hardStop.aborted) return;
        fail(error instanceof Error ? error.message : String(error));
      }
    }
  }

  try {
    // Loops start at different kinds, so a mix of kinds is in flight at every moment.
    await Promise.all(Array.from({ length: options.connections }, (_, index) => loop(index)));
  } finally {
    await pool.destroy();
  }
  const elapsedSeconds = (performance.now() - started) / 1000;
  const latencyPercentiles = latency.percentiles();
  const firstBytePercentiles = firstByte.percentiles();
  const lastBytePercentiles = lastByte.percentiles();
  return {
    generator: 'undici client',
    elapsedSeconds,
    completed: latency.count + lastByte.count,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    ...(latencyPercentiles === undefined ? {} : { latency: latencyPercentiles }),
    ...(firstBytePercentiles === undefined ? {} : { firstByte: firstBytePercentiles }),
    ...(lastBytePercentiles === undefined ? {} : { lastByte: lastBytePercentiles }),
  };
}
