import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError, normalizeError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { Authentication, Operation, Pipeline } from '../pipeline/index.js';
import { discardBody, type AuthThrottle } from './client-guard.js';
import type { HttpMetrics } from './http-metrics.js';
import { parseJsonObject } from './json-body.js';
import { logRejected } from './log-rejected.js';
import { writeError } from './render-error.js';
import { requestIdOf, type RequestIdGenerator } from './request-id.js';
import { respond } from './respond.js';

/**
 * The model routes (`POST /v1/chat/completions`, `/v1/messages`, `/v1/embeddings` and their
 * unversioned aliases) on plain Node.js HTTP, ahead of the framework: every request of a gateway
 * goes through here, and routing, body parsing and reply hooks of a general-purpose framework cost
 * a tenth of the gateway's CPU per request (docs/performance.md). What Fastify did for these routes
 * is done here on purpose and nothing more: media type, body limit, UTF-8 JSON object, request id,
 * draining, metrics, the rejection log line, 405 for other methods. The key is checked from the
 * headers before the body is read, so an unauthenticated caller costs no body reading or parsing
 *. Every other route stays on Fastify.
 */

export interface ModelRoutesDependencies {
  readonly pipeline: Pipeline;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly bodyLimitBytes: number;
  /** Deepest nesting of arrays and objects accepted in a body. */
  readonly maxJsonDepth: number;
  readonly streamKeepAliveMs: number;
  /** Refuses addresses with repeated failed authentications; undefined when off. */
  readonly authThrottle: AuthThrottle | undefined;
  readonly logger: Logger;
  readonly isDraining: () => boolean;
  readonly metrics: HttpMetrics;
  readonly newRequestId: RequestIdGenerator;
}

interface ModelRoute {
  /** The route's pattern, as metrics and logs name it. */
  readonly path: string;
  readonly codec: DialectCodec;
  readonly operation: Operation;
}

/** JSON, and the `+json` media types, with or without parameters (Fastify's rule before). */
const jsonMediaType = /^application\/([\w.+-]*\+)?json(\s*;.*)?$/i;

/**
 * A request handler for the model routes; it answers and returns true for a request it serves,
 * and returns false (touching nothing) for any other request.
 */
export function createModelRoutes(
  dependencies: ModelRoutesDependencies,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const { codecs } = dependencies;
  const routes = new Map<string, ModelRoute>();
  const add = (paths: readonly string[], dialect: Dialect, operation: Operation): void => {
    for (const path of paths) {
      routes.set(path, { path, codec: codecs[dialect], operation });
      routes.set(`${path}/`, { path, codec: codecs[dialect], operation });
    }
  };
  add(['/v1/chat/completions', '/chat/completions'], 'openai', 'chat');
  add(['/v1/embeddings', '/embeddings'], 'openai', 'embeddings');
  add(['/v1/messages'], 'anthropic', 'chat');

  return (request, response) => {
    const url = request.url ?? '';
    const query = url.indexOf('?');
    const route = routes.get(query === -1 ? url : url.slice(0, query));
    if (route === undefined) return false;
    serve(dependencies, route, request, response);
    return true;
  };
}

function serve(
  dependencies: ModelRoutesDependencies,
  route: ModelRoute,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const receivedAt = performance.now();
  const requestId = requestIdOf(request, dependencies.newRequestId);
  const { codec } = route;
  const tracker = dependencies.metrics.requestStarted({
    route: route.path,
    method: request.method ?? 'POST',
  });
  const controller = new AbortController();
  // One listener for both: the metrics' outcome, and cancelling the upstream request when the
  // caller leaves before the response is complete.
  response.once('close', () => {
    const complete = response.writableFinished;
    if (!complete) controller.abort();
    tracker.finished({ status: complete ? response.statusCode : 499 });
  });

  const reject = (error: GatewayError, headers: Readonly<Record<string, string>> = {}): void => {
    logRejected(dependencies.logger, requestId, route.path, error);
    writeError(response, codec, error, requestId, { ...idHeaders(requestId, codec), ...headers });
  };

  if (dependencies.isDraining()) {
    reject(
      new GatewayError('service_unavailable', 'The gateway is shutting down; retry on another replica.'),
      { connection: 'close' },
    );
    return;
  }
  // A refusal before the body is read discards the body rather than parse it.
  const refuseUnread = (error: GatewayError): void => {
    discardBody(request, dependencies.bodyLimitBytes);
    reject(error);
  };
  if (request.method !== 'POST') {
    refuseUnread(
      new GatewayError('method_not_allowed', `${route.path} accepts only POST.`, {
        headers: { allow: 'POST' },
      }),
    );
    return;
  }
  const address = request.socket.remoteAddress ?? '';
  const throttle = dependencies.authThrottle;
  const blockedFor = throttle?.blockedFor(address);
  if (blockedFor !== undefined) {
    refuseUnread(
      new GatewayError(
        'rate_limited',
        'Too many failed authentications from this address; try again later.',
        { headers: { 'retry-after': String(blockedFor) } },
      ),
    );
    return;
  }
  const authenticated = dependencies.pipeline.authenticate({ headers: request.headers });
  const afterAuthentication = (authentication: Authentication): void => {
    if (authentication.ok) {
      readBody(dependencies, route, request, response, {
        requestId,
        receivedAt,
        controller,
        tracker,
        authentication,
      });
      return;
    }
    if (authentication.error.status === 401) throttle?.failed(address);
    discardBody(request, dependencies.bodyLimitBytes);
    // The pipeline answers the refusal (its log line, span and headers), without authenticating again.
    void handle(dependencies, route, {
      request,
      response,
      requestId,
      receivedAt,
      body: {},
      controller,
      tracker,
      authentication,
    });
  };
  if (authenticated instanceof Promise) {
    authenticated.then(afterAuthentication, (error: unknown) => refuseUnread(normalizeError(error)));
  } else {
    afterAuthentication(authenticated);
  }
}

interface Admitted {
  readonly requestId: string;
  readonly receivedAt: number;
  readonly controller: AbortController;
  readonly tracker: { streamStarted(): void };
  readonly authentication: Authentication;
}

/** Reads, checks and parses the body of an authenticated request, then runs the pipeline. */
function readBody(
  dependencies: ModelRoutesDependencies,
  route: ModelRoute,
  request: IncomingMessage,
  response: ServerResponse,
  admitted: Admitted,
): void {
  const { requestId, receivedAt, controller, tracker } = admitted;
  const reject = (error: GatewayError, headers: Readonly<Record<string, string>> = {}): void => {
    logRejected(dependencies.logger, requestId, route.path, error);
    writeError(response, route.codec, error, requestId, { ...idHeaders(requestId, route.codec), ...headers });
  };
  const contentType = request.headers['content-type'];
  if (contentType === undefined || !jsonMediaType.test(contentType)) {
    reject(
      new GatewayError(
        'unsupported_media_type',
        'The request body must be JSON (Content-Type: application/json).',
      ),
    );
    return;
  }
  const limit = dependencies.bodyLimitBytes;
  const tooLarge = (): GatewayError =>
    new GatewayError('payload_too_large', `The request body is larger than the limit of ${limit} bytes.`);
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) {
    // Node reads and discards the unread body, so the connection stays usable.
    reject(tooLarge());
    return;
  }

  const chunks: Buffer[] = [];
  let received = 0;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received <= limit) {
      chunks.push(chunk);
      return;
    }
    // A body without a declared length that grows past the limit: answer now and close the
    // connection rather than read an unbounded body to its end.
    request.off('data', onData);
    request.off('end', onEnd);
    chunks.length = 0;
    reject(tooLarge(), { connection: 'close' });
  };
  const onEnd = (): void => {
    const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
    if (body.length === 0) {
      reject(new GatewayError('invalid_json', 'The request body is empty; it must be a JSON object.'));
      return;
    }
    let parsed: Record<string, unknown>;
    try {
      parsed = parseJsonObject(body, dependencies.maxJsonDepth);
    } catch (error) {
      reject(normalizeError(error));
      return;
    }
    void handle(dependencies, route, {
      request,
      response,
      requestId,
      receivedAt,
      body: parsed,
      controller,
      tracker,
      authentication: admitted.authentication,
    });
  };
  request.on('data', onData);
  request.on('end', onEnd);
}

interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly requestId: string;
  readonly receivedAt: number;
  readonly body: Record<string, unknown>;
  readonly controller: AbortController;
  readonly tracker: { streamStarted(): void };
  readonly authentication: Authentication;
}

/**
 * Runs the pipeline and writes its result. `finished` is called in one place, whatever happened:
 * it is what gives back the request's limit lease and in-flight entry, so a response that could
 * not be written (a header value Node refuses, a stream that threw) still releases them.
 */
async function handle(
  dependencies: ModelRoutesDependencies,
  route: ModelRoute,
  exchange: Exchange,
): Promise<void> {
  const { response, requestId, controller } = exchange;
  const { codec } = route;
  let finished: ((status: number) => void) | undefined;
  let status = 500;
  try {
    const handled = await dependencies.pipeline.handle(
      {
        requestId,
        dialect: codec.dialect,
        operation: route.operation,
        headers: exchange.request.headers,
        body: exchange.body,
        signal: controller.signal,
        receivedAt: exchange.receivedAt,
      },
      exchange.authentication,
    );
    finished = handled.finished;
    const { result } = handled;
    if (result.type === 'error' && result.error.code === 'internal_error') {
      dependencies.logger.error(
        { err: result.error.cause ?? result.error, request_id: requestId },
        'unhandled error',
      );
    }
    if (result.type === 'stream') exchange.tracker.streamStarted();
    status = await respond(result, {
      response,
      codec,
      requestId,
      keepAliveMs: dependencies.streamKeepAliveMs,
    });
  } catch (error) {
    // Before the headers, a bug still gets an answer in the caller's dialect. After them, cutting
    // the connection is the only honest signal left: a cleanly ended stream would look complete.
    dependencies.logger.error({ err: error, request_id: requestId }, 'unhandled error');
    if (response.headersSent) {
      status = response.statusCode;
      response.destroy(error instanceof Error ? error : undefined);
      return;
    }
    const gatewayError = normalizeError(error);
    status = gatewayError.status;
    logRejected(dependencies.logger, requestId, route.path, gatewayError);
    writeError(response, codec, gatewayError, requestId, idHeaders(requestId, codec));
  } finally {
    finished?.(status);
  }
}

/** `x-request-id`, and Anthropic's `request-id` on its routes. */
function idHeaders(requestId: string, codec: DialectCodec): Record<string, string> {
  return codec.dialect === 'anthropic'
    ? { 'x-request-id': requestId, 'request-id': requestId }
    : { 'x-request-id': requestId };
}
