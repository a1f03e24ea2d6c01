import { mkdtempSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { ConfigInput } from '../../src/config/schema.js';
import {
  createMockResponder,
  startMockServer,
  type MockRequest,
  type MockServer,
} from '../../src/providers/mock/index.js';

/**
 * Support for the response-cache end-to-end tests: the mock provider as an HTTP server that counts
 * what reaches it, a gateway configuration in front of it, the real SDK clients with the
 * `x-gatehouse-*` headers of their last answer at hand, the admin calls the tests need, and a TCP
 * proxy that can be cut (a Redis outage).
 */

/** Served by the counting mock over the OpenAI dialect (`openai-compatible` provider). */
export const gptModel = 'gpt-cached';
/** Served by the counting mock over the Anthropic dialect. */
export const claudeModel = 'claude-cached';
export const upstreamGptModel = 'mock-gpt';
export const upstreamClaudeModel = 'mock-claude';

/** USD per 1M tokens: large enough that a handful of tokens has a visible price. */
export const pricing = {
  [upstreamGptModel]: { input: 1_000, output: 2_000 },
  [upstreamClaudeModel]: { input: 3_000, output: 6_000 },
} as const;

export interface UpstreamCall {
  readonly operation: MockRequest['operation'];
  readonly dialect: MockRequest['dialect'];
  readonly model: string | undefined;
  readonly stream: boolean;
}

export interface CountingMock extends MockServer {
  /** Every chat and embeddings request that reached the mock, in order. */
  readonly calls: readonly UpstreamCall[];
  /** Chat requests that reached the mock (all models, or one upstream model). */
  chatCalls(model?: string): number;
}

/** The mock provider over HTTP, with a responder that records every request before answering it. */
export async function startCountingMock(): Promise<CountingMock> {
  const inner = createMockResponder();
  const calls: UpstreamCall[] = [];
  const server = await startMockServer({
    responder: {
      modelNames: inner.modelNames,
      respond(request) {
        if (request.operation !== 'models') {
          const body = (request.body ?? {}) as Record<string, unknown>;
          calls.push({
            operation: request.operation,
            dialect: request.dialect,
            model: typeof body.model === 'string' ? body.model : undefined,
            stream: body.stream === true,
          });
        }
        return inner.respond(request);
      },
    },
  });
  return {
    ...server,
    calls,
    chatCalls: (model) =>
      calls.filter((call) => call.operation === 'chat' && (model === undefined || call.model === model))
        .length,
  };
}

/**
 * A gateway configuration with `gpt-cached` and `claude-cached` routed to the counting mock, priced,
 * and usage flushed quickly. `extra` is merged on top; its providers and models are added.
 */
export function cacheGatewayConfig(mockUrl: string, extra: ConfigInput = {}): ConfigInput {
  const { providers, models, ...rest } = extra;
  return {
    data_dir: mkdtempSync(join(tmpdir(), 'gatehouse-cache-test-')),
    pricing,
    usage: { flush_interval_ms: 50 },
    ...rest,
    providers: {
      'upstream-openai': { type: 'openai-compatible', base_url: `${mockUrl}/v1` },
      'upstream-anthropic': { type: 'anthropic', base_url: mockUrl, api_key: 'sk-ant-test-upstream-key' },
      ...providers,
    },
    models: {
      [gptModel]: { targets: [{ provider: 'upstream-openai', model: upstreamGptModel }] },
      [claudeModel]: { targets: [{ provider: 'upstream-anthropic', model: upstreamClaudeModel }] },
      ...models,
    },
  };
}

/** What the gateway said about the cache and routing in the headers of one answer. */
export interface GatewayHeaders {
  readonly status: number;
  readonly cache: string | null;
  readonly attempts: string | null;
  readonly provider: string | null;
}

/**
 * The official clients pointed at a gateway with one key. Their `fetch` is wrapped so that the
 * headers of the last answer can be read whichever SDK helper made the request (`stream()`,
 * `finalMessage()` and the like hide the response).
 */
export interface SdkClients {
  readonly openai: OpenAI;
  readonly anthropic: Anthropic;
  /** The headers of the most recent answer (of either client). */
  last(): GatewayHeaders;
}

export function sdkClients(gatewayUrl: string, key: string): SdkClients {
  let latest: GatewayHeaders | undefined;
  const recordingFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    latest = {
      status: response.status,
      cache: response.headers.get('x-gatehouse-cache'),
      attempts: response.headers.get('x-gatehouse-attempts'),
      provider: response.headers.get('x-gatehouse-provider'),
    };
    return response;
  };
  return {
    openai: new OpenAI({ baseURL: `${gatewayUrl}/v1`, apiKey: key, maxRetries: 0, fetch: recordingFetch }),
    anthropic: new Anthropic({ baseURL: gatewayUrl, apiKey: key, maxRetries: 0, fetch: recordingFetch }),
    last() {
      if (latest === undefined) throw new Error('no request has been answered yet');
      return latest;
    },
  };
}

/** An admin API call with the master key; resolves with the status and the parsed JSON body. */
export async function admin(
  gatewayUrl: string,
  masterKey: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${masterKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export interface CreatedKey {
  readonly id: string;
  readonly secret: string;
  readonly team: string | null;
}

/** `POST /admin/keys`: a virtual key, optionally in a team. */
export async function createKey(
  gatewayUrl: string,
  masterKey: string,
  fields: { readonly name: string; readonly team?: string },
): Promise<CreatedKey> {
  const created = await admin(gatewayUrl, masterKey, 'POST', '/admin/keys', fields);
  if (created.status !== 201) throw new Error(`key creation failed: ${JSON.stringify(created)}`);
  return {
    id: String(created.body.id),
    secret: String(created.body.key),
    team: (created.body.team as string | null | undefined) ?? null,
  };
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A TCP proxy to `host:port` that the test can cut (refuse and drop connections) and restore. */
export interface TcpProxy {
  readonly url: string;
  readonly port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  target: { host: string; port: number },
  scheme = 'redis',
): Promise<TcpProxy> {
  let server: net.Server | undefined;
  let port = 0;
  const sockets = new Set<net.Socket>();
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const created = net.createServer((downstream) => {
        const upstream = net.connect(target.port, target.host);
        for (const socket of [downstream, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => {
            sockets.delete(socket);
            downstream.destroy();
            upstream.destroy();
          });
        }
        downstream.pipe(upstream);
        upstream.pipe(downstream);
      });
      created.once('error', reject);
      // The same port on restore, so the client reconnects to the address it was given.
      created.listen(port, '127.0.0.1', () => {
        port = (created.address() as AddressInfo).port;
        server = created;
        resolve();
      });
    });
  const cut = async (): Promise<void> => {
    const closing = new Promise<void>((resolve) => {
      if (server === undefined) resolve();
      else server.close(() => resolve());
    });
    for (const socket of sockets) socket.destroy();
    await closing;
    server = undefined;
  };
  await listen();
  return {
    get url() {
      return `${scheme}://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
