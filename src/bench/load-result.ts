import type { Percentiles } from './statistics.js';

/** What one load run against one target measured, whichever generator drove it. */
export interface LoadResult {
  readonly generator: LoadGeneratorName;
  readonly elapsedSeconds: number;
  /** Responses with a 2xx status, read to the end. */
  readonly completed: number;
  /** Non-2xx responses, resets, timeouts. */
  readonly errors: number;
  readonly firstError?: string;
  /** Whole-response latency of non-streaming requests, in milliseconds. */
  readonly latency?: Percentiles;
  /** Streaming: from sending the request to the first byte of the body (the first event). */
  readonly firstByte?: Percentiles;
  /** Streaming: from sending the request to the last byte of the body. */
  readonly lastByte?: Percentiles;
}

export type LoadGeneratorName = 'autocannon' | 'wrk' | 'undici client';

/** Where and what to send: a target as the load generators see it. */
export interface LoadTarget {
  /** The origin, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly path: string;
  /** Headers of every request, content-type included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly nonStreamingBody: string;
  readonly streamingBody: string;
  /** The same question at temperature 0, which Gatehouse caches: the cache-hit mode sends it. */
  readonly cacheableBody: string;
}
