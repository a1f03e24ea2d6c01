import autocannon from 'autocannon';
import type { LoadResult, LoadTarget } from './load-result.js';
import { createSampleRecorder } from './statistics.js';

/**
 * Non-streaming load with autocannon, in this process. Its own latency histogram has whole
 * milliseconds as its unit, too coarse for a sub-millisecond proxy, so latencies are recorded from
 * its `response` events, which carry the exact duration.
 */

export interface AutocannonOptions {
  readonly target: LoadTarget;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly signal?: AbortSignal;
}

export function runAutocannon(options: AutocannonOptions): Promise<LoadResult> {
  const latency = createSampleRecorder();
  let errors = 0;
  let firstError: string | undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.target.url}${options.target.path}`,
        method: 'POST',
        headers: { ...options.target.headers },
        body: options.target.nonStreamingBody,
        connections: options.connections,
        pipelining: 1,
        duration: options.durationSeconds,
        timeout: 10,
      },
      (error: unknown, result) => {
        options.signal?.removeEventListener('abort', stop);
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
          return;
        }
        const percentiles = latency.percentiles();
        const connectionErrors = result.errors;
        if (connectionErrors > 0) firstError ??= `${connectionErrors} connection errors or timeouts`;
        resolve({
          generator: 'autocannon',
          elapsedSeconds: result.duration,
          completed: latency.count,
          errors: errors + connectionErrors,
          ...(firstError === undefined ? {} : { firstError }),
          ...(percentiles === undefined ? {} : { latency: percentiles }),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode <= 299) {
        latency.record(responseTime);
      } else {
        errors += 1;
        firstError ??= `status ${statusCode}`;
      }
    });
    const stop = (): void => instance.stop();
    options.signal?.addEventListener('abort', stop, { once: true });
  });
}
