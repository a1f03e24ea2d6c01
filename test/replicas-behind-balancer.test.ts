import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { startLoadBalancer, upstreamHeader, type LoadBalancer } from './support/load-balancer.js';

/**
 * Issue 8 (SPEC section 13): two replicas behind a load balancer, one of them stopped with SIGTERM
 * while streams are in flight on it, and no request fails. The replicas are the real command line
 * (`gatehouse start`, compiled to dist/ by the global setup), each with its own data directory and
 * the same master key; the balancer (test/support/load-balancer.ts) passes a request to the other
 * replica exactly when nginx's `proxy_next_upstream error http_503 non_idempotent` would, which is
 * what deploy/compose/nginx.conf configures (checked below).
 */

/** Between stream events: the mock's answer is about twenty events, so a stream lasts ~0.5 s. */
const tokenLatencyMs = 20;
/** A drain timeout far above a stream's length and well inside the test's time. */
const drainTimeoutMs = 5_000;
/** A new streaming and a new non-streaming request this often, for the whole test. */
const trafficIntervalMs = 40;
/** Streams that must be in flight on the replica when it gets SIGTERM. */
const streamsInFlightAtSignal = 3;
/** How long traffic keeps flowing after the stopped replica has exited. */
const trafficAfterExitMs = 1_000;

const prompt = 'Explain how a gateway drains its streams before it stops';

interface Outcome {
  readonly kind: 'stream' | 'plain';
  readonly startedAt: number;
  /** When the status line arrived (undefined when none did). */
  readonly answeredAt?: number;
  readonly endedAt: number;
  readonly status?: number;
  readonly upstream?: string;
  readonly requestId?: string;
  readonly body: string;
  /** A connection error or a truncated answer, as the caller saw it. */
  readonly error?: string;
}

const clientAgent = new Agent({ keepAlive: true, maxSockets: Infinity });
const replicas: CliProcess[] = [];
const directories: string[] = [];
let balancer: LoadBalancer | undefined;

afterAll(async () => {
  for (const replica of replicas.splice(0)) {
    replica.kill();
    await withinMs(replica.exited, 5_000);
    directories.push(replica.cwd);
  }
  await balancer?.close();
  clientAgent.destroy();
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

/** One chat completion through `url`; never rejects: failures are part of the outcome. */
function chat(url: string, kind: 'stream' | 'plain'): Promise<Outcome> {
  const body = JSON.stringify({
    model: 'mock',
    ...(kind === 'stream' ? { stream: true } : {}),
    messages: [{ role: 'user', content: prompt }],
  });
  const startedAt = Date.now();
  return new Promise((resolve) => {
    let answeredAt: number | undefined;
    let status: number | undefined;
    let upstream: string | undefined;
    let requestId: string | undefined;
    let text = '';
    let settled = false;
    const finish = (error?: string): void => {
      if (settled) return;
      settled = true;
      resolve({
        kind,
        startedAt,
        endedAt: Date.now(),
        body: text,
        ...(answeredAt === undefined ? {} : { answeredAt }),
        ...(status === undefined ? {} : { status }),
        ...(upstream === undefined ? {} : { upstream }),
        ...(requestId === undefined ? {} : { requestId }),
        ...(error === undefined ? {} : { error }),
      });
    };
    const request = httpRequest(`${url}/v1/chat/completions`, {
      method: 'POST',
      agent: clientAgent,
      headers: {
        authorization: `Bearer ${testMasterKey}`,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        ...(kind === 'stream' ? { 'x-mock-token-latency-ms': String(tokenLatencyMs) } : {}),
      },
    });
    request.on('response', (response) => {
      answeredAt = Date.now();
      status = response.statusCode;
      upstream = response.headers[upstreamHeader] as string | undefined;
      requestId = response.headers['x-request-id'] as string | undefined;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => finish(response.complete ? undefined : 'answer truncated'));
      response.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
      response.on('close', () => finish(response.complete ? undefined : 'answer truncated'));
    });
    request.on('error', (error: NodeJS.ErrnoException) => finish(error.code ?? error.message));
    request.end(body);
  });
}

/** The assistant's text: a JSON answer's message, or a stream's deltas joined. */
function contentOf(outcome: Outcome): string {
  if (outcome.kind === 'plain') {
    const parsed = JSON.parse(outcome.body) as { choices: { message: { content: string } }[] };
    return parsed.choices[0]?.message.content ?? '';
  }
  let content = '';
  for (const line of outcome.body.split('\n')) {
    if (!line.startsWith('data: {')) continue;
    const event = JSON.parse(line.slice('data: '.length)) as {
      choices: { delta?: { content?: string | null } }[];
    };
    content += event.choices[0]?.delta?.content ?? '';
  }
  return content;
}

/** Why an outcome is not a complete, successful answer with `expected` as its text; or undefined. */
function problemWith(outcome: Outcome, expected: string): string | undefined {
  if (outcome.error !== undefined) return outcome.error;
  if (outcome.status !== 200) return `status ${String(outcome.status)}: ${outcome.body.slice(0, 300)}`;
  if (outcome.kind === 'stream') {
    if (!outcome.body.endsWith('data: [DONE]\n\n'))
      return `stream without [DONE]: ${outcome.body.slice(-300)}`;
    if (outcome.body.includes('"error"')) return `stream with an error event: ${outcome.body.slice(-300)}`;
  }
  const content = contentOf(outcome);
  return content === expected ? undefined : `content ${JSON.stringify(content)}`;
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function withinMs<T>(promise: Promise<T>, milliseconds: number): Promise<T | 'timeout'> {
  return Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => {
      setTimeout(() => resolve('timeout'), milliseconds).unref();
    }),
  ]);
}

describe('two replicas behind a load balancer', () => {
  it('SIGTERM to one replica mid-stream: every request succeeds, it drains and exits 0, traffic moves on', async () => {
    const configDirectory = mkdtempSync(join(tmpdir(), 'gatehouse-replicas-'));
    directories.push(configDirectory);
    const configPath = join(configDirectory, 'gatehouse.yaml');
    writeFileSync(configPath, `server:\n  drain_timeout_ms: ${drainTimeoutMs}\n`);
    const startReplica = async (): Promise<CliProcess & { url: string }> => {
      // Each spawnCli has its own working directory, hence its own GATEHOUSE_DATA_DIR.
      const replica = await startCliGateway({
        args: ['--config', configPath],
        env: { HOST: '127.0.0.1', METRICS_PORT: '0' },
      });
      replicas.push(replica);
      return replica;
    };
    const [stopped, survivor] = await Promise.all([startReplica(), startReplica()]);
    expect(stopped.cwd).not.toBe(survivor.cwd);

    // The mock's answer depends only on the conversation: every request must get exactly this.
    const reference = await chat(survivor.url, 'plain');
    expect(reference.status, reference.body).toBe(200);
    const expected = contentOf(reference);
    expect(expected.length).toBeGreaterThan(0);

    const lb = await startLoadBalancer([
      { name: 'stopped', url: stopped.url },
      { name: 'survivor', url: survivor.url },
    ]);
    balancer = lb;

    // Steady traffic: a stream and a non-streaming request every interval, until told to stop.
    // Their order alternates, so that round-robin gives each replica both kinds.
    const outcomes: Promise<Outcome>[] = [];
    let tick = 0;
    const traffic = setInterval(() => {
      const kinds = tick++ % 2 === 0 ? (['stream', 'plain'] as const) : (['plain', 'stream'] as const);
      for (const kind of kinds) outcomes.push(chat(lb.url, kind));
    }, trafficIntervalMs);
    try {
      await waitFor(
        () => lb.inFlight('stopped').length >= streamsInFlightAtSignal,
        5_000,
        `${streamsInFlightAtSignal} streams in flight on the replica to stop`,
      );
      const midStream = lb.inFlight('stopped');
      const signalledAt = Date.now();
      expect(stopped.child.kill('SIGTERM')).toBe(true);

      const exit = await withinMs(stopped.exited, drainTimeoutMs + 2_000);
      const exitedAt = Date.now();
      expect(exit, 'the stopped replica did not exit').toEqual({ code: 0, signal: null });
      expect(exitedAt - signalledAt, 'exit within the drain timeout').toBeLessThan(drainTimeoutMs);

      await new Promise((resolve) => setTimeout(resolve, trafficAfterExitMs));
      clearInterval(traffic);
      const results = await withinMs(Promise.all(outcomes), 10_000);
      if (results === 'timeout') throw new Error('requests still unanswered 10 s after traffic stopped');

      // No request failed: every stream ended with [DONE] and the whole answer, every plain request
      // got 200 with it.
      const failures = results.flatMap((outcome) => {
        const problem = problemWith(outcome, expected);
        return problem === undefined
          ? []
          : [
              `${outcome.kind} via ${outcome.upstream ?? '-'} at +${outcome.startedAt - signalledAt} ms: ${problem}`,
            ];
      });
      expect(failures).toEqual([]);
      const beforeSignal = results.filter((outcome) => outcome.startedAt < signalledAt);
      expect(
        new Set(beforeSignal.map((outcome) => `${outcome.kind} via ${outcome.upstream ?? '-'}`)),
      ).toEqual(
        new Set(['stream via stopped', 'plain via stopped', 'stream via survivor', 'plain via survivor']),
      );
      const streams = results.filter((outcome) => outcome.kind === 'stream');
      expect(streams.length).toBeGreaterThan(20);
      expect(results.length - streams.length).toBeGreaterThan(20);

      // The streams in flight on the replica when it was signalled were among them, and finished.
      const byRequestId = new Map(results.map((outcome) => [outcome.requestId, outcome]));
      expect(midStream.length).toBeGreaterThanOrEqual(streamsInFlightAtSignal);
      for (const requestId of midStream) {
        const outcome = byRequestId.get(requestId);
        expect(outcome?.kind, requestId).toBe('stream');
        expect(outcome?.upstream, requestId).toBe('stopped');
        expect(outcome?.endedAt ?? 0, requestId).toBeGreaterThan(signalledAt);
      }

      // It drained rather than timing out, and said so.
      const messages = stopped.logRecords().map((record) => record.msg);
      expect(messages).toContain('gatehouse draining');
      expect(messages).toContain('gatehouse stopped');
      expect(messages).not.toContain('drain timeout reached; closing connections');
      expect(messages).not.toContain('usage record after close; not written');
      expect(stopped.stderr()).toBe('');
      // Every answer it gave was accounted and logged before it stopped: one line each, status 200,
      // streams complete, tokens counted.
      const records = stopped.logRecords();
      const stoppedAt = records.findIndex((record) => record.msg === 'gatehouse stopped');
      const logged = new Map(
        records
          .slice(0, stoppedAt)
          .filter((record) => record.msg === 'request')
          .map((record) => [record.request_id, record]),
      );
      const answeredByStopped = results.filter((outcome) => outcome.upstream === 'stopped');
      expect(answeredByStopped.length).toBeGreaterThan(midStream.length);
      for (const outcome of answeredByStopped) {
        const record = logged.get(outcome.requestId);
        expect(record, `log line of ${outcome.requestId ?? '-'}`).toMatchObject({
          status: 200,
          stream: outcome.kind === 'stream',
          output_tokens: expect.any(Number) as number,
        });
        if (outcome.kind === 'stream') expect(record?.stream_complete).toBe(true);
      }

      // The balancer moved requests off the stopped replica only after the signal; the survivor
      // never failed one.
      const attempts = lb.attempts();
      const moved = attempts.filter((attempt) => attempt.outcome !== 'response');
      expect(moved.length, 'requests the balancer sent to the stopped replica after SIGTERM').toBeGreaterThan(
        0,
      );
      for (const attempt of moved) {
        expect(attempt.upstream, JSON.stringify(attempt)).toBe('stopped');
        expect(attempt.at, JSON.stringify(attempt)).toBeGreaterThanOrEqual(signalledAt);
      }

      // Traffic went on, on the other replica alone, once the stopped one had exited.
      const afterExit = results.filter((outcome) => outcome.startedAt > exitedAt);
      expect(afterExit.length).toBeGreaterThan(20);
      expect(new Set(afterExit.map((outcome) => outcome.upstream))).toEqual(new Set(['survivor']));
      expect(survivor.child.exitCode).toBeNull();
      const last = await chat(lb.url, 'stream');
      expect(problemWith(last, expected)).toBeUndefined();
      expect(last.upstream).toBe('survivor');
    } finally {
      clearInterval(traffic);
      await withinMs(Promise.all(outcomes), 5_000);
    }
  });

  it('the compose nginx passes a request to the other replica on a connection error or a 503, as this balancer does', () => {
    const nginx = readFileSync(join(projectRoot, 'deploy', 'compose', 'nginx.conf'), 'utf8');
    const nextUpstream = /^\s*proxy_next_upstream\s+([^;]+);/m.exec(nginx)?.[1]?.split(/\s+/) ?? [];
    expect(nextUpstream).toEqual(expect.arrayContaining(['error', 'http_503', 'non_idempotent']));
    // A request body nginx streamed to the first replica cannot be sent to the second.
    expect(nginx).not.toMatch(/proxy_request_buffering\s+off;/);
    const tries = Number(/proxy_next_upstream_tries\s+(\d+);/.exec(nginx)?.[1] ?? 0);
    expect(tries === 0 || tries >= 2).toBe(true);
  });
});
