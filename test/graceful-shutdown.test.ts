import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { startTestGateway } from './support/gateway.js';
import { rawRequest } from './support/http.js';

/**
 * SPEC section 13: on SIGTERM/SIGINT readiness turns false, new connections are refused, requests
 * and streams in flight finish, then the process exits (0). SPEC section 1: an invalid
 * configuration exits with code 2 and names the field. The real command line runs as a child
 * process, compiled to dist/ by the global setup.
 */

/** Per mock stream event: about twenty events, so a stream lasts about three seconds. */
const tokenLatencyMs = 150;
/** Generous bound for "the process exits once its last stream is done" (the drain timeout is 30 s). */
const exitPromptlyMs = 5_000;

const running: CliProcess[] = [];

afterEach(() => {
  for (const cli of running.splice(0)) cli.kill();
});

async function start(env: Record<string, string> = {}): Promise<CliProcess & { url: string }> {
  const cli = await startCliGateway({ env });
  running.push(cli);
  return cli;
}

interface Stream {
  /** Resolves when the first event arrives. */
  readonly firstEvent: Promise<void>;
  /** Resolves with the whole body once the response ends. */
  readonly body: Promise<string>;
}

/** A slow streaming chat completion from the built-in mock. */
function slowStream(url: string, agent: Agent | false, key = testMasterKey): Stream {
  const body = JSON.stringify({
    model: 'mock',
    stream: true,
    messages: [{ role: 'user', content: 'Hello there' }],
  });
  const request = httpRequest(`${url}/v1/chat/completions`, {
    method: 'POST',
    agent,
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-mock-token-latency-ms': String(tokenLatencyMs),
    },
  });
  let markFirst: () => void = () => undefined;
  const firstEvent = new Promise<void>((resolve) => {
    markFirst = resolve;
  });
  const whole = new Promise<string>((resolve, reject) => {
    request.on('response', (response) => {
      if (response.statusCode !== 200) reject(new Error(`stream answered ${String(response.statusCode)}`));
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        if (text.includes('data: ')) markFirst();
      });
      response.on('end', () => resolve(text));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  request.end(body);
  return { firstEvent, body: whole };
}

/** What a new connection gets: an HTTP status, or the connection error's code. */
async function newConnectionOutcome(url: string, path: string): Promise<string> {
  try {
    const response = await rawRequest(`${url}${path}`, { method: 'GET' });
    return String(response.status);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  }
}

/** Sends the start of `GET /health/ready`; `finish` sends the rest and resolves with the answer. */
async function beginProbe(url: string): Promise<{ finish: () => Promise<string> }> {
  const { hostname, port, host } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`GET /health/ready HTTP/1.1\r\nHost: ${host}\r\n`);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  // Let the server read the first bytes, so the connection counts as busy.
  await new Promise((resolve) => setTimeout(resolve, 100));
  return {
    async finish() {
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.write('Connection: close\r\n\r\n');
      await withinMs(closed, 5_000);
      socket.destroy();
      return answer;
    },
  };
}

function withinMs<T>(promise: Promise<T>, milliseconds: number): Promise<T | 'timeout'> {
  return Promise.race([
    promise,
    new Promise<'timeout'>((resolve) => {
      setTimeout(() => resolve('timeout'), milliseconds).unref();
    }),
  ]);
}

describe('gatehouse start: graceful shutdown on a signal', () => {
  it('SIGTERM lets a stream in flight finish with [DONE], refuses new connections, and exits 0', async () => {
    const cli = await start();
    const stream = slowStream(cli.url, false);
    await stream.firstEvent;

    // A readiness probe begun before the signal and finished during the drain: its connection is
    // busy, so the drain reads it instead of refusing it.
    const probe = await beginProbe(cli.url);

    expect(cli.child.kill('SIGTERM')).toBe(true);
    await cli.waitForLog((record) => record.msg === 'gatehouse draining');
    expect(await probe.finish()).toMatch(/^HTTP\/1\.1 503 /);
    // The listener closes right after the drain begins; give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await newConnectionOutcome(cli.url, '/health/ready')).toMatch(/^(503|ECONNREFUSED|ECONNRESET)$/);
    expect(await newConnectionOutcome(cli.url, '/health')).toMatch(/^(503|ECONNREFUSED|ECONNRESET)$/);

    const body = await stream.body;
    expect(body).toContain('data: [DONE]');
    expect(body).not.toContain('"error"');
    const streamEndedAt = Date.now();

    const exit = await withinMs(cli.exited, exitPromptlyMs);
    expect(exit, `still running ${exitPromptlyMs} ms after its last stream ended`).toEqual({
      code: 0,
      signal: null,
    });
    expect(Date.now() - streamEndedAt).toBeLessThan(exitPromptlyMs);
    expect(cli.logRecords().map((record) => record.msg)).toContain('gatehouse stopped');
    expect(cli.stderr()).toBe('');
  });

  it('SIGINT with nothing in flight exits 0 at once', async () => {
    const cli = await start();
    expect((await rawRequest(`${cli.url}/health`, { method: 'GET' })).status).toBe(200);
    cli.child.kill('SIGINT');
    expect(await withinMs(cli.exited, exitPromptlyMs)).toEqual({ code: 0, signal: null });
  });

  it('a keep-alive client does not hold the process until the drain timeout once its stream is done', async () => {
    const cli = await start();
    // Real SDK clients pool connections: after the stream the connection is idle but open.
    const agent = new Agent({ keepAlive: true });
    try {
      const stream = slowStream(cli.url, agent);
      await stream.firstEvent;
      cli.child.kill('SIGTERM');
      expect(await stream.body).toContain('data: [DONE]');
      const exit = await withinMs(cli.exited, exitPromptlyMs);
      expect(exit, 'the idle keep-alive connection kept the process draining').toEqual({
        code: 0,
        signal: null,
      });
    } finally {
      agent.destroy();
    }
  });

  it('a second signal during the drain exits at once with code 1', async () => {
    const cli = await start();
    const stream = slowStream(cli.url, false);
    stream.body.catch(() => undefined);
    await stream.firstEvent;
    cli.child.kill('SIGTERM');
    await cli.waitForLog((record) => record.msg === 'gatehouse draining');
    cli.child.kill('SIGTERM');
    expect(await withinMs(cli.exited, 2_000)).toEqual({ code: 1, signal: null });
  });
});

describe('gatehouse start: invalid configuration', () => {
  it('PORT=abc exits 2 naming PORT, without starting', async () => {
    const result = await runCli(['start'], { env: { PORT: 'abc', GATEHOUSE_MASTER_KEY: testMasterKey } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toMatch(/server\.port/);
    expect(result.stdout).not.toContain('gatehouse started');
  });

  it('--port with a value out of range exits 2 naming the port', async () => {
    const result = await runCli(['start', '--port', '70000'], {
      env: { GATEHOUSE_MASTER_KEY: testMasterKey },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/port/i);
    expect(result.stdout).not.toContain('gatehouse started');
  });
});

describe('a request that arrives during the drain (in process)', () => {
  /**
   * A connection opened before the drain with a request begun but not finished is not idle, so the
   * drain does not close it; the request is read while draining. It must still be answered like
   * every other error: 503 in the caller's dialect, with x-request-id.
   */
  it.each([
    { path: '/v1/chat/completions', dialect: 'openai' },
    { path: '/v1/messages', dialect: 'anthropic' },
  ])('$path answers 503 in its own dialect', async ({ path, dialect }) => {
    const gateway = await startTestGateway();
    const url = new URL(gateway.url);
    const blocker = slowStream(gateway.url, false, gateway.masterKey);
    await blocker.firstEvent;
    const body = JSON.stringify({
      model: 'mock',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const socket = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${url.host}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    socket.on('error', () => undefined);
    const socketClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));

    const closing = gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write(
      `Authorization: Bearer ${gateway.masterKey}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await withinMs(socketClosed, 5_000);
    socket.destroy();
    expect(await blocker.body).toContain('data: [DONE]');
    await closing;

    const [head = '', payload = ''] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 503 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(head.toLowerCase()).toMatch(/\r\nx-request-id: \S+/);
    const parsed = JSON.parse(payload) as Record<string, unknown>;
    if (dialect === 'openai') {
      expect(parsed.error).toMatchObject({ message: expect.any(String), type: expect.any(String) });
    } else {
      expect(parsed).toMatchObject({
        type: 'error',
        error: { type: expect.any(String), message: expect.any(String) },
      });
    }
  });
});
