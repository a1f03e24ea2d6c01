import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DialectCodec } from '../dialects/codec.js';
import type { Dialect } from '../llm/index.js';
import type { Pipeline } from '../pipeline/index.js';
import { adminAuthorization } from './admin/admin-auth.js';
import { registerAdminCacheRoutes, type AdminCacheOperations } from './admin/admin-cache-routes.js';
import { registerAdminKeyRoutes, type AdminKeyOperations } from './admin/admin-keys-routes.js';
import { registerAdminStatusRoutes } from './admin/admin-status-routes.js';
import { registerAdminUsageRoutes, type UsageReports } from './admin/admin-usage-routes.js';
import { fromFrameworkError } from './framework-errors.js';
import { registerHealthRoutes, type Readiness } from './health-routes.js';
import { parseJsonObject } from './json-body.js';
import { logRejected } from './log-rejected.js';
import type { HttpMetrics } from './http-metrics.js';
import { createModelRoutes } from './model-routes.js';
import { registerModelListRoute } from './models-route.js';
import { renderError } from './render-error.js';
import { newRequestId, requestIdOf } from './request-id.js';
import type { TlsMaterial } from './tls.js';
import { GatewayError } from '../errors/index.js';

export interface AppSettings {
  /** Serve HTTPS with this certificate and key; plain HTTP without. */
  readonly tls: TlsMaterial | undefined;
  readonly bodyLimitBytes: number;
  readonly keepAliveTimeoutMs: number;
  readonly streamKeepAliveMs: number;
}

export interface AppDependencies {
  readonly settings: AppSettings;
  readonly pipeline: Pipeline;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly readiness: Readiness;
  readonly modelNames: () => readonly string[];
  readonly logger: Logger;
  /** True once shutdown began: new requests are refused with 503 in the caller's dialect. */
  readonly isDraining: () => boolean;
  readonly admin: AdminDependencies;
  readonly metrics: HttpMetrics;
}

/** What `/admin/*` needs; declared structurally so http/ depends on no feature module. */
export interface AdminDependencies {
  readonly keys: AdminKeyOperations;
  readonly reports: UsageReports;
  readonly cache?: AdminCacheOperations;
  readonly maskedConfig: () => object;
  readonly status: () => object | Promise<object>;
}

/** The dialect a route speaks: `/v1/messages` is Anthropic's; everything else answers as OpenAI. */
function dialectOfUrl(url: string): Dialect {
  return url.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}

/** A request line's dialect, for errors written before Fastify has a request (bad headers). */
function dialectOfPacket(packet: Buffer | undefined): Dialect {
  const line = packet?.subarray(0, 256).toString('latin1') ?? '';
  return / \/v1\/messages[ ?/]/.test(line) ? 'anthropic' : 'openai';
}

export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const { settings, pipeline, codecs, logger } = dependencies;
  const serveModelRoute = createModelRoutes({
    pipeline,
    codecs,
    bodyLimitBytes: settings.bodyLimitBytes,
    streamKeepAliveMs: settings.streamKeepAliveMs,
    logger,
    isDraining: dependencies.isDraining,
    metrics: dependencies.metrics,
  });
  const app = Fastify({
    // The model routes are served ahead of Fastify (see model-routes.ts); everything else is its.
    serverFactory: (fastifyHandler) => {
      const handler: RequestListener = (request, response) => {
        if (!serveModelRoute(request, response)) fastifyHandler(request, response);
      };
      return settings.tls === undefined
        ? createHttpServer(handler)
        : createHttpsServer(settings.tls, handler);
    },
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Above the keep-alive timeout, as Node requires, so idle connections close cleanly.
    http: { headersTimeout: settings.keepAliveTimeoutMs + 1_000, requestTimeout: 0 },
    genReqId: requestIdOf,
    // Draining is answered by our own hook, in the caller's dialect.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    clientErrorHandler: (error, socket) => {
      // Malformed requests (oversized headers, bad request lines) never reach a route: answer in
      // the dialect of the request line and close, since the connection's state is unknown.
      const packet = (error as unknown as { rawPacket?: Buffer }).rawPacket;
      const tooLarge = (error as unknown as { code?: string }).code === 'HPE_HEADER_OVERFLOW';
      const gatewayError = new GatewayError(
        'invalid_request',
        tooLarge ? 'The request headers are too large.' : 'The request is malformed.',
        { status: tooLarge ? 431 : 400 },
      );
      const requestId = newRequestId();
      const body = JSON.stringify(codecs[dialectOfPacket(packet)].encodeError(gatewayError, requestId));
      if (socket.writable) {
        socket.end(
          `HTTP/1.1 ${gatewayError.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
            `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
        );
      } else {
        socket.destroy();
      }
      logRejected(logger, requestId, undefined, gatewayError);
    },
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeAllContentTypeParsers();
  // Bodies are read as bytes so that invalid UTF-8 is rejected instead of silently replaced.
  app.addContentTypeParser(
    /^application\/([\w.+-]*\+)?json(\s*;.*)?$/i,
    { parseAs: 'buffer' },
    (_request, body, done) => {
      try {
        done(null, parseJsonObject(body as Buffer));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );

  app.setErrorHandler((error, request, reply) => {
    const gatewayError = fromFrameworkError(error, settings.bodyLimitBytes);
    if (gatewayError.status >= 500) logger.error({ err: error, request_id: request.id }, 'unhandled error');
    // Requests refused before the pipeline (unparsable body, too large, wrong media type) still
    // get their one log line.
    if (!reply.sent) logRejected(logger, request.id, request.routeOptions.url, gatewayError);
    return renderError(reply, codecs[dialectOfUrl(request.url)], gatewayError, request.id);
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new GatewayError(
      'not_found',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`,
    );
    logRejected(logger, request.id, undefined, error);
    return renderError(reply, codecs[dialectOfUrl(request.url)], error, request.id);
  });
  app.addHook('onRequest', (request, reply, done) => {
    const tracker = dependencies.metrics.requestStarted({
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
    });
    // `close`, not `onResponse`: Fastify skips onResponse when the client aborts, and the
    // in-flight gauge would leak.
    reply.raw.once('close', () => {
      tracker.finished({ status: reply.raw.writableFinished ? reply.raw.statusCode : 499 });
    });
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    // Health routes keep answering while draining: liveness stays up, readiness reports 503.
    if (!dependencies.isDraining() || request.url.startsWith('/health')) {
      done();
      return;
    }
    const error = new GatewayError(
      'service_unavailable',
      'The gateway is shutting down; retry on another replica.',
    );
    reply.header('connection', 'close');
    logRejected(logger, request.id, request.routeOptions.url, error);
    void renderError(reply, codecs[dialectOfUrl(request.url)], error, request.id);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (dialectOfUrl(request.url) === 'anthropic') reply.header('request-id', request.id);
    done(null, payload);
  });

  registerModelListRoute(app, { pipeline, codecs, modelNames: dependencies.modelNames });
  registerHealthRoutes(app, dependencies.readiness);
  const { admin } = dependencies;
  const authorizeAdmin = adminAuthorization(admin.keys);
  registerAdminKeyRoutes(app, { keys: admin.keys, codec: codecs.openai, audit: logger });
  registerAdminUsageRoutes(app, { reports: admin.reports, authorizeAdmin, codec: codecs.openai });
  registerAdminStatusRoutes(app, {
    authorizeAdmin,
    codec: codecs.openai,
    maskedConfig: admin.maskedConfig,
    status: admin.status,
  });
  app.get('/metrics', async (request, reply) => {
    const authorization = await authorizeAdmin(request.headers);
    if (!authorization.ok) return renderError(reply, codecs.openai, authorization.error, request.id);
    return reply
      .header('content-type', dependencies.metrics.contentType)
      .send(await dependencies.metrics.render());
  });
  if (admin.cache !== undefined) {
    registerAdminCacheRoutes(app, {
      cache: admin.cache,
      authorizeAdmin,
      codec: codecs.openai,
      audit: logger,
    });
  }
  return app;
}
