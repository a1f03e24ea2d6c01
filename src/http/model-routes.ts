import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError, normalizeError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { Authentication, Operation, Pipeline } from '../pipeline/index.js';
import { discardBody, type AuthThrottle } from './client-guard.js';
import type { HttpMetrics } from './http-metrics.js';
import { logRejected } from './log-rejected.js';
import { drainingRefusal, methodNotAllowed, throttledRefusal, unsupportedMediaType } from './refusals.js';
import { writeError } from './render-error.js';
import { isJsonMediaType, readJsonBody, type BodyLimits } from './request-body.js';
import { requestIdOf, type RequestIdGenerator } from './request-id.js';
import { respond } from './respond.js';

/**
 * The model routes (`POST /v1/chat/completions`, `/v1/messages`, `/v1/embeddings` and their
 * unversioned aliases) on plain Node.js HTTP, ahead of the framework: every request of a gateway
 * goes through here, and routing, body parsing and reply hooks of a general-purpose framework cost
 * a tenth of the gateway's CPU per request (docs/performance.md). What Fastify did for these routes
 * is done here on purpose and nothing more: media type, body limit, UTF-8 JSON object, request id,
 * draining, metrics, the rejection log line, 405 for other methods. The refusals (`refusals.ts`)
 * and the body reading (`request-body.ts`) are the functions Fastify's hooks and parser use too.
 * The key is checked from the headers before the body is read, so an unauthenticated caller
 * costs no body reading or parsing. Every other route stays on Fastify.
 */

export interface ModelRoutesDependencies extends BodyLimits {
  readonly pipeline: Pipeline;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
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

  const draining = drainingRefusal(dependencies.isDraining);
  if (draining !== undefined) {
    rejectRequest(dependencies, route, response, requestId, draining);
    return;
  }
  if (request.method !== 'POST') {
    const error = methodNotAllowed(`${route.path} accepts only POST.`, 'POST');
    refuseUnread(dependencies, route, { request, response, requestId }, error);
    return;
  }
  const address = request.socket.remoteAddress ?? '';
  const throttle = dependencies.authThrottle;
  const throttled = throttledRefusal(throttle, address);
  if (throttled !== undefined) {
    refuseUnread(dependencies, route, { request, response, requestId }, throttled);
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
    authenticated.then(afterAuthentication, (error: unknown) =>
      refuseUnread(dependencies, route, { request, response, requestId }, normalizeError(error)),
    );
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
  if (!isJsonMediaType(request.headers['content-type'])) {
    rejectRequest(dependencies, route, response, admitted.requestId, unsupportedMediaType());
    return;
  }
  readJsonBody(request, request.headers['content-length'], dependencies, (reading) => {
    switch (reading.type) {
      case 'read':
        void handle(dependencies, route, {
          request,
          response,
          requestId: admitted.requestId,
          receivedAt: admitted.receivedAt,
          body: reading.body,
          controller: admitted.controller,
          tracker: admitted.tracker,
          authentication: admitted.authentication,
        });
        return;
      case 'refused':
        rejectRequest(dependencies, route, response, admitted.requestId, reading.error);
        return;
      case 'broken':
        // The caller is gone: the response's close already counted the request as abandoned.
        return;
      default: {
        const unreachable: never = reading;
        return unreachable;
      }
    }
  });
}

/** A refusal before the body is read: the body is discarded rather than parsed. */
function refuseUnread(
  dependencies: ModelRoutesDependencies,
  route: ModelRoute,
  exchange: Pick<Exchange, 'request' | 'response' | 'requestId'>,
  error: GatewayError,
): void {
  discardBody(exchange.request, dependencies.bodyLimitBytes);
  rejectRequest(dependencies, route, exchange.response, exchange.requestId, error);
}

/** A refusal before the pipeline: its one log line, and the error in the route's dialect. */
function rejectRequest(
  dependencies: ModelRoutesDependencies,
  route: ModelRoute,
  response: ServerResponse,
  requestId: string,
  error: GatewayError,
): void {
  logRejected(dependencies.logger, requestId, route.path, error);
  writeError(response, route.codec, error, requestId, idHeaders(requestId, route.codec));
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
