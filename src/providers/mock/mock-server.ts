import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Dialect } from '../../llm/index.js';
import type { MockBody } from './mock-body.js';
import { errorBody, invalidRequestError, statusError, type MockErrorInfo } from './mock-errors.js';
import {
  createMockResponder,
  type MockOperation,
  type MockResponder,
  type MockResult,
} from './mock-responder.js';

/**
 * The mock provider over HTTP (node:http rather than Fastify: it is the far end of benchmarks and
 * must cost as little as possible). Routes: POST /v1/chat/completions, /v1/messages and
 * /v1/embeddings, GET /v1/models (Anthropic's list shape when `anthropic-version` is sent),
 * GET /health, and Azure's POST /openai/deployments/{deployment}/chat/completions and
 * .../embeddings, where the deployment is the model.
 */

export interface MockServerOptions {
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Shared with other transports, or a fresh one (with `now`) when absent. */
  readonly responder?: MockResponder;
  readonly now?: () => number;
  /** Larger request bodies get 413. */
  readonly bodyLimitBytes?: number;
  /** Above common load-balancer and client pool idle timeouts, so the client closes first. */
  readonly keepAliveTimeoutMs?: number;
}

export interface MockServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface Route {
  readonly dialect: Dialect;
  readonly operation: MockOperation | 'health';
  readonly model?: string;
}

const routes: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['POST /v1/chat/completions', { dialect: 'openai', operation: 'chat' }],
  ['POST /v1/messages', { dialect: 'anthropic', operation: 'chat' }],
  ['POST /v1/embeddings', { dialect: 'openai', operation: 'embeddings' }],
  ['GET /v1/models', { dialect: 'openai', operation: 'models' }],
  ['GET /health', { dialect: 'openai', operation: 'health' }],
]);

const azurePrefix = '/openai/deployments/';

function routeOf(method: string, path: string): Route | undefined {
  const route = routes.get(`${method} ${path}`);
  if (route !== undefined || method !== 'POST' || !path.startsWith(azurePrefix)) return route;
  const slash = path.indexOf('/', azurePrefix.length);
  if (slash === -1) return undefined;
  const rest = path.slice(slash);
  const operation = rest === '/chat/completions' ? 'chat' : rest === '/embeddings' ? 'embeddings' : undefined;
  if (operation === undefined) return undefined;
  try {
    return { dialect: 'openai', operation, model: decodeURIComponent(path.slice(azurePrefix.length, slash)) };
  } catch {
    return undefined;
  }
}

function sendError(response: ServerResponse, dialect: Dialect, status: number, error: MockErrorInfo): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(errorBody(dialect, error, 'req_mock'));
}

function drained(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

function isConnectionReset(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'ECONNRESET';
}

/**
 * Writes a body as it is produced. Events produced in the same turn of the event loop (all of
 * them, without token latency) go out in one write, flushed on the next tick: one chunked-encoding
 * frame instead of one per event, which is most of a streaming benchmark's cost. A full socket
 * buffer pauses the body until it drains.
 */
async function writeBody(body: MockBody, response: ServerResponse): Promise<void> {
  let pending: Uint8Array[] = [];
  let flushScheduled = false;
  let blocked = false;
  const take = (): Uint8Array | undefined => {
    const taken = pending.length <= 1 ? pending[0] : Buffer.concat(pending);
    pending = [];
    return taken;
  };
  const flush = (): void => {
    flushScheduled = false;
    const data = take();
    if (data !== undefined && !response.destroyed && !response.write(data)) blocked = true;
  };
  try {
    for await (const chunk of body) {
      pending.push(chunk);
      if (!flushScheduled) {
        flushScheduled = true;
        process.nextTick(flush);
      }
      if (blocked) {
        blocked = false;
        await drained(response);
      }
    }
    const rest = take();
    if (rest === undefined) response.end();
    else response.end(rest);
  } catch (error) {
    flush();
    if (isConnectionReset(error)) {
      // Let the events written so far reach the socket, so the client sees them, then the cut.
      await new Promise((resolve) => setImmediate(resolve));
    }
    response.destroy();
  }
}

async function dispatch(
  responder: MockResponder,
  route: Route,
  operation: MockOperation,
  body: unknown,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  const anthropicList = operation === 'models' && request.headers['anthropic-version'] !== undefined;
  let result: MockResult;
  try {
    result = await responder.respond({
      dialect: anthropicList ? 'anthropic' : route.dialect,
      operation,
      body,
      headers: request.headers,
      signal: controller.signal,
      ...(route.model === undefined ? {} : { model: route.model }),
    });
  } catch (error) {
    // Aborted during a latency wait: the client left, there is no one to answer.
    if (controller.signal.aborted) return;
    throw error;
  }
  switch (result.type) {
    case 'reset':
      request.socket.resetAndDestroy();
      return;
    case 'hang':
      // Nothing is written; the connection stays open until the client gives up or close().
      return;
    case 'response':
      response.writeHead(result.status, result.headers);
      if (result.body.whole !== undefined) {
        response.end(result.body.whole);
        return;
      }
      // Headers leave now, as a provider's do, even when the first event is late (slow-first-token).
      response.flushHeaders();
      await writeBody(result.body, response);
  }
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const responder =
    options.responder ?? createMockResponder(options.now === undefined ? {} : { now: options.now });
  const bodyLimit = options.bodyLimitBytes ?? 10 * 1024 * 1024;
  const health = Buffer.from('{"status":"ok"}');

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const route = routeOf(request.method ?? 'GET', query === -1 ? url : url.slice(0, query));
    if (route === undefined) {
      request.resume();
      sendError(
        response,
        'openai',
        404,
        statusError('openai', 404, `No mock route for ${request.method ?? ''} ${url}.`),
      );
      return;
    }
    if (route.operation === 'health') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(health);
      return;
    }
    const fail = (): void => {
      if (response.destroyed) return;
      if (!response.headersSent) {
        sendError(response, route.dialect, 500, statusError(route.dialect, 500, 'The mock server failed.'));
      } else {
        response.destroy();
      }
    };
    const operation = route.operation;
    if (operation === 'models') {
      dispatch(responder, route, operation, undefined, request, response).catch(fail);
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= bodyLimit) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > bodyLimit) {
        sendError(
          response,
          route.dialect,
          413,
          statusError(route.dialect, 413, `The request body exceeds ${bodyLimit} bytes.`),
        );
        return;
      }
      let body: unknown;
      try {
        const text =
          chunks.length === 1
            ? (chunks[0] as Buffer).toString('utf8')
            : Buffer.concat(chunks).toString('utf8');
        body = JSON.parse(text) as unknown;
      } catch {
        sendError(response, route.dialect, 400, invalidRequestError('The request body is not valid JSON.'));
        return;
      }
      dispatch(responder, route, operation, body, request, response).catch(fail);
    });
  };

  const server = createServer({ noDelay: true }, handle);
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  // Faults hold connections open for a long time on purpose; only the client decides when to stop.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('clientError', (_error, socket) => socket.destroy());

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        // Hung and stalled requests would keep close() waiting for ever.
        server.closeAllConnections();
      }),
  };
}
