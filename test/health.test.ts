import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest, type RawResponse } from './support/http.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';

/**
 * SPEC section 3: `/health`, `/healthz` and `/health/live` say the process is up and never call a
 * provider; `/health/ready` is ready unless the gateway is draining. SPEC section 13: on shutdown
 * readiness turns false while requests in flight finish.
 */

const livenessPaths = ['/health', '/healthz', '/health/live'];

describe('health routes on a running gateway', () => {
  let upstream: ScriptedUpstream;
  let gateway: TestGateway;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    gateway = await startTestGateway({
      providers: { scripted: { type: 'openai-compatible', base_url: `${upstream.url}/v1` } },
      models: { 'test-model': { targets: [{ provider: 'scripted', model: 'upstream-model' }] } },
    });
  });

  afterAll(async () => {
    await gateway.close();
    await upstream.close();
  });

  function get(path: string, headers: Record<string, string | undefined> = {}): Promise<RawResponse> {
    return rawRequest(`${gateway.url}${path}`, { method: 'GET', headers });
  }

  it.each(livenessPaths)('GET %s is 200 {"status":"ok"} without a key', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.text)).toEqual({ status: 'ok' });
    expect(response.headers['x-request-id']).toMatch(/^\S+$/);
  });

  it.each(livenessPaths)('GET %s ignores a wrong key rather than rejecting it', async (path) => {
    const response = await get(path, { authorization: 'Bearer not-a-key' });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toEqual({ status: 'ok' });
  });

  it('GET /health/ready is 200 and ready without a key', async () => {
    const response = await get('/health/ready');
    expect(response.status).toBe(200);
    const body = JSON.parse(response.text) as Record<string, unknown>;
    expect(body.status).toBe('ready');
  });

  it('no health route calls a provider', async () => {
    const before = upstream.count();
    for (let round = 0; round < 5; round++) {
      for (const path of [...livenessPaths, '/health/ready']) {
        expect((await get(path)).status).toBe(200);
      }
    }
    expect(upstream.count()).toBe(before);
  });

  it('the health routes answer GET only; other methods get a 4xx in JSON', async () => {
    const response = await rawRequest(`${gateway.url}/health`, { method: 'DELETE' });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(() => JSON.parse(response.text) as unknown).not.toThrow();
  });
});

describe('readiness during a graceful shutdown', () => {
  /** A stream from the in-process mock, about twenty events at this pace: a few seconds. */
  const tokenLatencyMs = 150;

  /**
   * A streaming request over a raw socket with `Connection: close`, so the connection ends with
   * the response (keep-alive during a drain is graceful-shutdown.test.ts's subject).
   */
  function openStream(gateway: TestGateway): { started: Promise<void>; text: Promise<string> } {
    const url = new URL(gateway.url);
    const body = JSON.stringify({
      model: 'mock',
      stream: true,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const socket = connect(Number(url.port), url.hostname);
    socket.write(
      [
        'POST /v1/chat/completions HTTP/1.1',
        `Host: ${url.host}`,
        'Connection: close',
        `Authorization: Bearer ${gateway.masterKey}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        `x-mock-token-latency-ms: ${tokenLatencyMs}`,
        '',
        body,
      ].join('\r\n'),
    );
    let received = '';
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const text = new Promise<string>((resolve, reject) => {
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (received.includes('data: ')) markStarted();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve(received));
    });
    setTimeout(() => socket.destroy(), 20_000).unref();
    return { started, text };
  }

  it('after close() begins with a stream in flight, /health/ready is 503 or refused, and the stream finishes', async () => {
    const gateway = await startTestGateway();
    const stream = openStream(gateway);
    await stream.started;

    const closing = gateway.close();
    let outcome: string;
    try {
      const response = await rawRequest(`${gateway.url}/health/ready`, { method: 'GET' });
      outcome = String(response.status);
    } catch (error) {
      outcome = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
    expect(outcome).toMatch(/^(503|ECONNREFUSED|ECONNRESET|socket hang up)$/);

    const text = await stream.text;
    expect(text).toContain('data: [DONE]');
    await closing;
  });

  it('a readiness probe on a connection opened before the drain answers 503', async () => {
    const gateway = await startTestGateway();
    const stream = openStream(gateway);
    await stream.started;
    const url = new URL(gateway.url);
    // A probe whose request has begun but not ended: its connection is busy, so the drain does not
    // close it, and the probe is read after close() has begun.
    const probe = connect(Number(url.port), url.hostname);
    await new Promise<void>((resolve) => probe.once('connect', () => resolve()));
    probe.write(`GET /health/ready HTTP/1.1\r\nHost: ${url.host}\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    let answer = '';
    probe.on('data', (chunk: Buffer) => (answer += chunk.toString('utf8')));
    const probeClosed = new Promise<void>((resolve) => probe.once('close', () => resolve()));
    probe.on('error', () => undefined);

    const closing = gateway.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    probe.write('\r\n');
    await Promise.race([probeClosed, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);

    expect(await stream.text).toContain('data: [DONE]');
    probe.destroy();
    await closing;
  });
});
