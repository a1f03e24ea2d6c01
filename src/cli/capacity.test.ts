import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { measureFromMetrics, defaultMetricNames } from './capacity-measure.js';
import { parseDurationSeconds, planCapacity, registerCapacityCommand } from './capacity.js';
import type { CliEnvironment } from './environment.js';
import { parsePrometheusText, PrometheusTextError, sumSamples } from './prometheus-text.js';

/** Runs `gatehouse capacity ...` in process, the way src/cli/index.ts runs every command. */
async function capacity(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const environment: CliEnvironment = {
    argv: ['capacity', ...args],
    env,
    cwd: process.cwd(),
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
    stderrStream: process.stderr,
    execPath: process.execPath,
  };
  const program = new Command('gatehouse')
    .exitOverride()
    .configureOutput({ writeOut: environment.stdout, writeErr: environment.stderr });
  let code: number | undefined = 0;
  registerCapacityCommand(program, environment, (result) => (code = result));
  try {
    await program.parseAsync([...environment.argv], { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode === 0 ? 0 : 2;
  }
  return { code, stdout, stderr };
}

describe('W = Q·L/U from arguments', () => {
  it('prints the computation and the worker count rounded up', async () => {
    const result = await capacity(['--rps', '200', '--latency', '2.5s']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Q  request rate          200 req/s',
        'L  mean latency          2.5 s',
        'U  target utilization    0.6',
        'W = Q × L / U = 200 × 2.5 / 0.6 = 833.33',
        'workers: 834 (concurrent requests to provision for, rounded up)',
        '',
      ].join('\n'),
    );
  });

  it.each(['250ms', '0.25s', '0.25', '.25'])('reads the latency %s as 0.25 seconds', async (latency) => {
    const result = await capacity(['--rps', '100', '--latency', latency, '--json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ latencySeconds: 0.25, workers: 42 });
  });

  it('parses durations in ms, s, m and bare seconds, and nothing else', () => {
    expect(parseDurationSeconds('1500ms')).toBe(1.5);
    expect(parseDurationSeconds('2m')).toBe(120);
    expect(parseDurationSeconds(' 3 ')).toBe(3);
    for (const bad of ['', 'abc', '1h', '-1s', '1 s', 's', '1e3'])
      expect(parseDurationSeconds(bad)).toBeUndefined();
  });

  it('does not round float noise up: 120 × 0.5 / 0.6 is 100 workers, not 101', () => {
    expect(planCapacity({ rps: 120, latencySeconds: 0.5, utilization: 0.6 }).workers).toBe(100);
    expect(planCapacity({ rps: 120, latencySeconds: 0.5, utilization: 0.6 }).exactWorkers).toBeCloseTo(
      100,
      9,
    );
  });

  it('honours --utilization', async () => {
    const result = await capacity(['--rps', '50', '--latency', '800ms', '--utilization', '0.8', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      rps: 50,
      latencySeconds: 0.8,
      utilization: 0.8,
      workers: 50,
    });
  });

  it('turns workers into replicas with --per-replica, never fewer than two', async () => {
    const many = await capacity(['--rps', '200', '--latency', '2.5s', '--per-replica', '300']);
    expect(many.stdout).toContain(
      'replicas: 3 (⌈834 / 300⌉ at 300 concurrent requests per replica, at least 2)',
    );
    const few = await capacity(['--rps', '1', '--latency', '1s', '--per-replica', '500', '--json']);
    expect(JSON.parse(few.stdout)).toMatchObject({ workers: 2, replicas: 2 });
  });

  it.each([
    [['--rps', 'abc', '--latency', '1s'], '--rps: expected a number > 0, got "abc"'],
    [['--rps', '0', '--latency', '1s'], '--rps: expected a number > 0'],
    [['--rps', '10', '--latency', '10x'], '--latency: expected a duration > 0'],
    [['--rps', '10', '--latency', '0ms'], '--latency: expected a duration > 0'],
    [
      ['--rps', '10', '--latency', '1s', '--utilization', '1.5'],
      '--utilization: expected a number > 0 and ≤ 1',
    ],
    [['--rps', '10'], 'give --rps and --latency, or --from'],
    [
      ['--rps', '10', '--latency', '1s', '--from', 'http://127.0.0.1:1/metrics'],
      'leave out --rps and --latency',
    ],
    [['--from', 'ftp://example/metrics'], 'expected an http:// or https:// URL'],
    [['--from', 'http://127.0.0.1:1', '--exclude-routes', '('], 'not a regular expression'],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await capacity(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });
});

describe('Prometheus text', () => {
  it('reads names, labels with escapes, special values, timestamps and exemplars', () => {
    const samples = parsePrometheusText(
      [
        '# HELP gatehouse_http_requests_total Requests.',
        '# TYPE gatehouse_http_requests_total counter',
        'gatehouse_http_requests_total{route="/v1/chat/completions",status="200"} 12 1700000000000',
        'gatehouse_http_requests_total{route="/a\\"b\\\\c\\nd",status="500",} 3',
        'gatehouse_http_request_duration_seconds_bucket{le="+Inf"} 15 # {trace_id="abc"} 0.5',
        'process_start_time_seconds 1.7e9',
        'weird NaN',
        '',
        '# EOF',
      ].join('\n'),
    );
    expect(samples).toHaveLength(5);
    expect(samples[1]?.labels).toEqual({ route: '/a"b\\c\nd', status: '500' });
    expect(samples[2]?.value).toBe(15);
    expect(samples[3]?.value).toBe(1.7e9);
    expect(Number.isNaN(samples[4]?.value)).toBe(true);
    expect(sumSamples(samples, 'gatehouse_http_requests_total')).toBe(15);
    expect(sumSamples(samples, 'gatehouse_http_requests_total', (labels) => labels.status === '200')).toBe(
      12,
    );
    expect(sumSamples(samples, 'missing')).toBeUndefined();
  });

  it.each(['{x="1"} 2', 'name{x=1} 2', 'name{x="1" 2', 'name{x="1"} abc', 'name'])('rejects %j', (line) => {
    expect(() => parsePrometheusText(line)).toThrow(PrometheusTextError);
  });
});

/** A gateway's metrics endpoint whose counters move by a script, one exposition per scrape. */
interface FakeMetrics {
  readonly url: string;
  readonly authorizations: (string | undefined)[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function fakeMetrics(expositions: readonly string[], requiredKey?: string): Promise<FakeMetrics> {
  const authorizations: (string | undefined)[] = [];
  let scrape = 0;
  const server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    if (requiredKey !== undefined && request.headers.authorization !== `Bearer ${requiredKey}`) {
      response.writeHead(401).end('unauthorized');
      return;
    }
    const body = expositions[Math.min(scrape, expositions.length - 1)] ?? '';
    scrape += 1;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/metrics`, authorizations };
}

/** An exposition with `requests` API requests taking `seconds` in total, plus busy health probes. */
function exposition(requests: number, seconds: number, probes: number): string {
  return [
    '# TYPE gatehouse_http_requests_total counter',
    `gatehouse_http_requests_total{route="/v1/chat/completions",status="200"} ${requests - 1}`,
    `gatehouse_http_requests_total{route="/v1/messages",status="429"} 1`,
    `gatehouse_http_requests_total{route="/health/ready",status="200"} ${probes}`,
    '# TYPE gatehouse_http_request_duration_seconds histogram',
    `gatehouse_http_request_duration_seconds_bucket{route="/v1/chat/completions",le="+Inf"} ${requests}`,
    `gatehouse_http_request_duration_seconds_sum{route="/v1/chat/completions"} ${seconds}`,
    `gatehouse_http_request_duration_seconds_count{route="/v1/chat/completions"} ${requests}`,
    `gatehouse_http_request_duration_seconds_sum{route="/health/ready"} ${probes * 0.001}`,
    `gatehouse_http_request_duration_seconds_count{route="/health/ready"} ${probes}`,
    '',
  ].join('\n');
}

describe('Q and L from running gateways (--from)', () => {
  it('takes the rate from the counter increase and the mean latency from the histogram, probes left out', async () => {
    const metrics = await fakeMetrics([exposition(100, 40, 10), exposition(150, 65, 500)]);
    const times = [0, 10_000];
    const measurement = await measureFromMetrics({
      urls: [metrics.url],
      intervalMs: 1,
      metrics: defaultMetricNames,
      excludeRoutes: /^\/health/,
      headers: {},
      timeoutMs: 5_000,
      now: () => times.shift() ?? 0,
    });
    // 50 requests in 10 s; 25 s of latency over those 50 requests.
    expect(measurement).toEqual({
      rps: 5,
      latencySeconds: 0.5,
      intervalSeconds: 10,
      requests: 50,
      endpoints: 1,
    });
  });

  it('adds up several replicas and prints the plan', async () => {
    const first = await fakeMetrics([exposition(100, 40, 0), exposition(150, 65, 0)]);
    const second = await fakeMetrics([exposition(10, 10, 0), exposition(60, 85, 0)]);
    const result = await capacity(['--from', first.url, second.url, '--interval', '200ms', '--json']);
    expect(result.stderr).toContain('measuring');
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout);
    expect(plan.measurement).toMatchObject({ requests: 100, endpoints: 2 });
    // (25 s + 75 s) / 100 requests.
    expect(plan.latencySeconds).toBeCloseTo(1, 9);
    // 100 requests over a little more than 0.2 s.
    expect(plan.rps).toBeGreaterThan(50);
    expect(plan.rps).toBeLessThanOrEqual(100 / 0.2 + 1e-9);
    expect(plan.workers).toBe(Math.ceil((plan.rps * plan.latencySeconds) / 0.6 - 1e-9));
  });

  it('prints what it measured in text form, and reads a bare host:port as its /metrics', async () => {
    const metrics = await fakeMetrics([exposition(100, 40, 0), exposition(150, 65, 0)]);
    const result = await capacity(['--from', metrics.url.replace('/metrics', ''), '--interval', '0.1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^measured 50 requests over [\d.]+ s from 1 endpoint\(s\)\n/);
    expect(result.stdout).toContain('L  mean latency          0.5 s');
  });

  it('sends the admin key for /metrics on the main port', async () => {
    const metrics = await fakeMetrics([exposition(1, 1, 0), exposition(2, 2, 0)], 'admin-key-0123456789');
    const refused = await capacity(['--from', metrics.url, '--interval', '10ms']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 401');
    const fromEnvironment = await capacity(['--from', metrics.url, '--interval', '10ms', '--json'], {
      GATEHOUSE_MASTER_KEY: 'admin-key-0123456789',
    });
    expect(fromEnvironment.code).toBe(0);
    expect(metrics.authorizations.at(-1)).toBe('Bearer admin-key-0123456789');
  });

  it('names a missing metric and the ones that exist, and accepts --metric-* overrides', async () => {
    const renamed = exposition(100, 40, 0).replaceAll(
      'gatehouse_http_requests_total',
      'gatehouse_requests_total',
    );
    const later = exposition(150, 65, 0).replaceAll(
      'gatehouse_http_requests_total',
      'gatehouse_requests_total',
    );
    const metrics = await fakeMetrics([renamed, later]);
    const missing = await capacity(['--from', (await fakeMetrics([renamed])).url, '--interval', '10ms']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no metric gatehouse_http_requests_total');
    expect(missing.stderr).toContain('gatehouse_requests_total');
    const overridden = await capacity([
      '--from',
      metrics.url,
      '--interval',
      '10ms',
      '--metric-requests',
      'gatehouse_requests_total',
      '--json',
    ]);
    expect(overridden.code).toBe(0);
    expect(JSON.parse(overridden.stdout).measurement.requests).toBe(50);
  });

  it('fails with exit code 1 when nothing completed between the scrapes', async () => {
    const metrics = await fakeMetrics([exposition(100, 40, 0)]);
    const result = await capacity(['--from', metrics.url, '--interval', '10ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no request completed');
  });

  it('fails with exit code 1 when a counter goes down (a restart between scrapes)', async () => {
    const metrics = await fakeMetrics([exposition(100, 40, 0), exposition(5, 1, 0)]);
    const result = await capacity(['--from', metrics.url, '--interval', '10ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('counters went down');
  });

  it('fails with exit code 1 when the gateway cannot be reached', async () => {
    const metrics = await fakeMetrics([]);
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
    const result = await capacity(['--from', metrics.url, '--interval', '10ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(metrics.url);
  });

  it('fails with exit code 1 on a page that is not Prometheus text', async () => {
    const metrics = await fakeMetrics(['<html>hello</html>']);
    const result = await capacity(['--from', metrics.url, '--interval', '10ms']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not Prometheus text');
  });
});
