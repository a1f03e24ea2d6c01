import { performance } from 'node:perf_hooks';
import { Pool, request } from 'undici';
import autocannon from 'autocannon';
import { createSampleRecorder, type Percentiles } from './statistics.js';
import { runWrk } from './wrk-load.js';

/**
 * `POST /v1/agent/authorize` over HTTP against a running gateway: sequential on one connection,
 * alternating with `GET /health` on the same gateway (a trivial route through the same server,
 * keys and hooks), so the added latency is the decision's own; then `connections` concurrent
 * loops for decisions per second.
 */

export const authorizePath = '/v1/agent/authorize';
const healthPath = '/health';

export interface AuthorizeHttpTarget {
  readonly url: string;
  /** The caller's credential and content type. */
  readonly headers: Readonly<Record<string, string>>;
}

export type AuthorizeRouteProbe =
  { readonly type: 'ready' } | { readonly type: 'unavailable'; readonly reason: string };

/** Asks once: a 404 means this gateway has no authorize route; anything but a decision is a failure. */
export async function probeAuthorizeRoute(
  target: AuthorizeHttpTarget,
  body: Readonly<Record<string, unknown>>,
): Promise<AuthorizeRouteProbe> {
  const response = await request(`${target.url}${authorizePath}`, {
    method: 'POST',
    headers: target.headers,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.body.text();
  if (response.statusCode === 404) {
    return { type: 'unavailable', reason: `${authorizePath} answered 404 (this gateway has no such route)` };
  }
  const answer = response.statusCode === 200 ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (typeof answer.allowed !== 'boolean' || typeof answer.decision !== 'string') {
    throw new Error(`${authorizePath} did not answer a decision (${response.statusCode}): ${text}`);
  }
  return { type: 'ready' };
}

export interface SequentialAuthorizeResult {
  readonly decisions: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly authorize: Percentiles;
  readonly health: Percentiles;
  /** authorize − health, percentile by percentile. */
  readonly added: Percentiles;
}

export async function runSequentialAuthorize(
  target: AuthorizeHttpTarget,
  bodies: readonly string[],
  durationMs: number,
): Promise<SequentialAuthorizeResult> {
  const pool = new Pool(target.url, { connections: 1, pipelining: 1 });
  const authorize = createSampleRecorder();
  const health = createSampleRecorder();
  let errors = 0;
  let firstError: string | undefined;
  const deadline = performance.now() + durationMs;
  try {
    for (let index = 0; performance.now() < deadline; index += 1) {
      const asksHealth = index % 2 === 1;
      const begun = performance.now();
      const response = await pool.request(
        asksHealth
          ? { method: 'GET', path: healthPath }
          : {
              method: 'POST',
              path: authorizePath,
              headers: target.headers,
              body: bodies[(index / 2) % bodies.length] ?? '{}',
            },
      );
      await response.body.dump();
      const elapsed = performance.now() - begun;
      if (response.statusCode !== 200) {
        errors += 1;
        firstError ??= `${asksHealth ? healthPath : authorizePath}: status ${response.statusCode}`;
      } else (asksHealth ? health : authorize).record(elapsed);
    }
  } finally {
    await pool.destroy();
  }
  const authorizePercentiles = authorize.percentiles();
  const healthPercentiles = health.percentiles();
  if (authorizePercentiles === undefined || healthPercentiles === undefined) {
    throw new Error(`the sequential authorize run completed nothing: ${firstError ?? 'no time'}`);
  }
  return {
    decisions: authorize.count,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    authorize: authorizePercentiles,
    health: healthPercentiles,
    added: {
      p50: authorizePercentiles.p50 - healthPercentiles.p50,
      p90: authorizePercentiles.p90 - healthPercentiles.p90,
      p99: authorizePercentiles.p99 - healthPercentiles.p99,
    },
  };
}

export interface ConcurrentAuthorizeResult {
  readonly connections: number;
  readonly generator: 'wrk' | 'autocannon';
  readonly decisions: number;
  readonly decisionsPerSecond: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly latency?: Percentiles;
  /** CPU time of the gateway process (all its threads) per 1,000 decisions, in milliseconds. */
  readonly gatewayCpuMsPer1000?: number;
  /** Runs this is the median of (absent: a single run). */
  readonly rounds?: number;
}

export interface ConcurrentAuthorizeOptions {
  readonly connections: number;
  readonly durationSeconds: number;
  readonly signal: AbortSignal;
  /** Set: wrk drives the load (its files go here); else autocannon in this process. */
  readonly wrkDirectory: string | undefined;
}

/**
 * `connections` closed loops cycling through every body, so the decisions mix allows, reviews and
 * denies like the sequential run. wrk, when installed, costs a fraction of autocannon's CPU, which
 * on two cores is CPU the gateway under test keeps (as in the non-streaming mode).
 */
export async function runConcurrentAuthorize(
  target: AuthorizeHttpTarget,
  bodies: readonly string[],
  options: ConcurrentAuthorizeOptions,
): Promise<ConcurrentAuthorizeResult> {
  if (options.wrkDirectory === undefined) return runAutocannonAuthorize(target, bodies, options);
  const result = await runWrk({
    requests: { url: target.url, path: authorizePath, headers: target.headers, bodies },
    connections: options.connections,
    durationSeconds: options.durationSeconds,
    workDirectory: options.wrkDirectory,
    signal: options.signal,
  });
  return {
    connections: options.connections,
    generator: 'wrk',
    decisions: result.completed,
    decisionsPerSecond: result.completed / result.elapsedSeconds,
    errors: result.errors,
    ...(result.firstError === undefined ? {} : { firstError: result.firstError }),
    ...(result.latency === undefined ? {} : { latency: result.latency }),
  };
}

function runAutocannonAuthorize(
  target: AuthorizeHttpTarget,
  bodies: readonly string[],
  { connections, durationSeconds, signal }: ConcurrentAuthorizeOptions,
): Promise<ConcurrentAuthorizeResult> {
  const latency = createSampleRecorder();
  let errors = 0;
  let firstError: string | undefined;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${target.url}${authorizePath}`,
        method: 'POST',
        headers: { ...target.headers },
        requests: bodies.map((body) => ({ body })),
        connections,
        pipelining: 1,
        duration: durationSeconds,
        timeout: 10,
      },
      (error: unknown, result) => {
        signal.removeEventListener('abort', stop);
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error('autocannon failed', { cause: error }));
          return;
        }
        if (result.errors > 0) firstError ??= `${result.errors} connection errors or timeouts`;
        const percentiles = latency.percentiles();
        resolve({
          connections,
          generator: 'autocannon',
          decisions: latency.count,
          decisionsPerSecond: latency.count / result.duration,
          errors: errors + result.errors,
          ...(firstError === undefined ? {} : { firstError }),
          ...(percentiles === undefined ? {} : { latency: percentiles }),
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode === 200) latency.record(responseTime);
      else {
        errors += 1;
        firstError ??= `status ${statusCode}`;
      }
    });
    const stop = (): void => instance.stop();
    signal.addEventListener('abort', stop, { once: true });
  });
}
