import { setTimeout as delay } from 'node:timers/promises';
import { parsePrometheusText, sumSamples, type Sample } from './prometheus-text.js';

/**
 * Measures Q (requests per second) and L (mean latency) from running gateways' own Prometheus
 * metrics: two scrapes of each endpoint an interval apart, the rate from the request counter's
 * increase and the mean latency from the duration histogram's `_sum` and `_count` increases over the
 * same interval. Each replica exposes only its own metrics, so several endpoints are added up.
 */

export interface MetricNames {
  /** A counter of completed HTTP requests. */
  readonly requests: string;
  /** A histogram (or summary) of request durations in seconds; `_sum` and `_count` are read. */
  readonly duration: string;
}

export const defaultMetricNames: MetricNames = {
  requests: 'gatehouse_http_requests_total',
  duration: 'gatehouse_http_request_duration_seconds',
};

export interface MeasureOptions {
  readonly urls: readonly string[];
  readonly intervalMs: number;
  readonly metrics: MetricNames;
  /** Series whose `route` label matches are left out (health probes and scrapes are not traffic). */
  readonly excludeRoutes: RegExp | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export interface Measurement {
  readonly rps: number;
  readonly latencySeconds: number;
  readonly intervalSeconds: number;
  /** Requests completed between the scrapes, all endpoints together. */
  readonly requests: number;
  readonly endpoints: number;
}

export class MeasureError extends Error {
  override name = 'MeasureError';
}

interface Scrape {
  readonly at: number;
  readonly requests: number;
  readonly durationSum: number;
  readonly durationCount: number;
}

/** `http://host:9090` means its `/metrics`; any other path is used as written. */
export function metricsUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new MeasureError(`--from: not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MeasureError(`--from: expected an http:// or https:// URL, got "${text}"`);
  }
  if (url.pathname === '/') url.pathname = '/metrics';
  return url;
}

function requireMetric(
  samples: readonly Sample[],
  name: string,
  url: URL,
  keep: (labels: Readonly<Record<string, string>>) => boolean,
): number {
  const total = sumSamples(samples, name, keep);
  if (total !== undefined) return total;
  const known = [...new Set(samples.map((sample) => sample.name))].filter((known) =>
    known.startsWith('gatehouse_'),
  );
  const hint =
    known.length === 0 ? 'no gatehouse_ metrics at all' : `it has ${known.slice(0, 12).join(', ')}`;
  throw new MeasureError(
    `${url.href}: no metric ${name} (${hint}); name another with --metric-requests / --metric-duration`,
  );
}

async function scrape(url: URL, options: MeasureOptions, now: () => number): Promise<Scrape> {
  let text: string;
  try {
    const response = await fetch(url, {
      headers: { accept: 'text/plain', ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
    if (!response.ok) throw new MeasureError(`${url.href}: HTTP ${response.status}`);
  } catch (error) {
    if (error instanceof MeasureError) throw error;
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    throw new MeasureError(`${url.href}: ${error instanceof Error ? error.message : String(error)}${cause}`);
  }
  const at = now();
  let samples: Sample[];
  try {
    samples = parsePrometheusText(text);
  } catch (error) {
    throw new MeasureError(
      `${url.href}: not Prometheus text (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const pattern = options.excludeRoutes;
  const keep = (labels: Readonly<Record<string, string>>): boolean =>
    pattern === undefined || labels.route === undefined || !pattern.test(labels.route);
  return {
    at,
    requests: requireMetric(samples, options.metrics.requests, url, keep),
    durationSum: requireMetric(samples, `${options.metrics.duration}_sum`, url, keep),
    durationCount: requireMetric(samples, `${options.metrics.duration}_count`, url, keep),
  };
}

export async function measureFromMetrics(options: MeasureOptions): Promise<Measurement> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const urls = options.urls.map(metricsUrl);
  const first = await Promise.all(urls.map((url) => scrape(url, options, now)));
  await sleep(options.intervalMs);
  const second = await Promise.all(urls.map((url) => scrape(url, options, now)));

  let rps = 0;
  let requests = 0;
  let durationSum = 0;
  let durationCount = 0;
  let intervalMs = 0;
  for (const [index, url] of urls.entries()) {
    const before = first[index];
    const after = second[index];
    if (before === undefined || after === undefined) continue;
    const increase = after.requests - before.requests;
    if (increase < 0 || after.durationCount < before.durationCount) {
      throw new MeasureError(
        `${url.href}: counters went down between scrapes (did the gateway restart?); run again`,
      );
    }
    const elapsedMs = after.at - before.at;
    rps += increase / (elapsedMs / 1000);
    requests += increase;
    durationSum += after.durationSum - before.durationSum;
    durationCount += after.durationCount - before.durationCount;
    intervalMs = Math.max(intervalMs, elapsedMs);
  }
  if (durationCount === 0) {
    throw new MeasureError(
      `no request completed in ${(intervalMs / 1000).toFixed(1)} s between the two scrapes; measure under real traffic or lengthen --interval`,
    );
  }
  return {
    rps,
    latencySeconds: durationSum / durationCount,
    intervalSeconds: intervalMs / 1000,
    requests,
    endpoints: urls.length,
  };
}
