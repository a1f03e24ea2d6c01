import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { DialectCodec } from '../dialects/codec.js';
import type { Dialect } from '../llm/index.js';
import type { Pipeline } from '../pipeline/index.js';
import { adminAuthorization } from './admin/admin-auth.js';
import { createAuthThrottle, discardBody, type AuthThrottle } from './client-guard.js';
import { registerAdminCacheRoutes, type AdminCacheOperations } from './admin/admin-cache-routes.js';
import { registerAdminKeyRoutes, type AdminKeyOperations } from './admin/admin-keys-routes.js';
import { registerAdminStatusRoutes } from './admin/admin-status-routes.js';
import { registerAdminUsageRoutes, type UsageReports } from './admin/admin-usage-routes.js';
import { fromFrameworkError } from './framework-errors.js';
import { createClientErrorHandler, createServerFactory, dialectOfUrl } from './http-server-factory.js';
import { registerHealthRoutes, type Readiness } from './health-routes.js';
import { logRejected } from './log-rejected.js';
import type { HttpMetrics } from './http-metrics.js';
import { createModelRoutes } from './model-routes.js';
import { registerModelListRoute } from './models-route.js';
import { drainingRefusal, methodNotAllowed, throttledRefusal } from './refusals.js';
import { renderError } from './render-error.js';
import { jsonMediaType, readJsonBody } from './request-body.js';
import { requestIdOf, type RequestIdGenerator } from './request-id.js';
import type { TlsMaterial } from './tls.js';
import { GatewayError } from '../errors/index.js';

export interface AppSettings {
  /** Serve HTTPS with this certificate and key; plain HTTP without. */
  readonly tls: TlsMaterial | undefined;
  readonly bodyLimitBytes: number;
  readonly keepAliveTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly streamKeepAliveMs: number;
  readonly maxJsonDepth: number;
  /** 0: no cap. */
  readonly maxConnectionsPerAddress: number;
  /** Failed authentications per address and window before 429; 0 turns the throttle off. */
  readonly authFailuresPerAddress: number;
  readonly authFailureWindowMs: number;
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
  /** Makes the id of a request that did not bring an acceptable one. */
  readonly newRequestId: RequestIdGenerator;
  /**
   * Routes that are not model calls, added by the areas of the gateway (agent authorization, policy,
   * review queue, MCP), registered before unsupported methods get their 405s.
   */
  readonly routes?: readonly ((app: FastifyInstance) => void)[];
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
/** Routes that need no key: liveness and readiness probes are never throttled. */
function isUnauthenticated(url: string): boolean {
  return url.startsWith('/health');
}

/** Whether the request has a body still to be read. */
function bodyFollows(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const length = headers['content-length'];
  return headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The methods a 405 may be answered for (Fastify's own; others are 404 as before). */
const answeredMethods = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

/** The model routes, served ahead of Fastify (decision 0006). */
function modelRoutesFor(dependencies: AppDependencies, authThrottle: AuthThrottle | undefined) {
  const { settings } = dependencies;
  return createModelRoutes({
    pipeline: dependencies.pipeline,
    codecs: dependencies.codecs,
    bodyLimitBytes: settings.bodyLimitBytes,
    maxJsonDepth: settings.maxJsonDepth,
    streamKeepAliveMs: settings.streamKeepAliveMs,
    authThrottle,
    logger: dependencies.logger,
    isDraining: dependencies.isDraining,
    metrics: dependencies.metrics,
    newRequestId: dependencies.newRequestId,
  });
}

export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const { settings, pipeline, codecs, logger, newRequestId } = dependencies;
  const authThrottle: AuthThrottle | undefined = createAuthThrottle({
    failures: settings.authFailuresPerAddress,
    windowMs: settings.authFailureWindowMs,
  });
  const serveModelRoute = modelRoutesFor(dependencies, authThrottle);
  const app = Fastify({
    // The model routes are served ahead of Fastify (see model-routes.ts); everything else is its.
    serverFactory: createServerFactory(settings, serveModelRoute),
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    genReqId: (request) => requestIdOf(request, newRequestId),
    // Draining is answered by our own hook, in the caller's dialect.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    clientErrorHandler: createClientErrorHandler({ codecs, newRequestId, logger }),
    routerOptions: { ignoreTrailingSlash: true },
  });

  /** A refusal before the body is read: the body is discarded rather than parsed. */
  const refuseUnread = (
    request: FastifyRequest,
    reply: FastifyReply,
    route: string | undefined,
    error: GatewayError,
  ): FastifyReply => {
    discardBody(request.raw, settings.bodyLimitBytes);
    logRejected(logger, request.id, route, error);
    return renderError(reply, codecs[dialectOfUrl(request.url)], error, request.id);
  };

  app.removeAllContentTypeParsers();
  // Fastify applies the media-type rule by choosing this parser; the body is read as the model
  // routes read theirs, as bytes, so that invalid UTF-8 is rejected instead of silently replaced.
  app.addContentTypeParser(jsonMediaType, (request, payload, done) => {
    readJsonBody(payload, request.headers['content-length'], settings, (reading) => {
      if (reading.type === 'read') done(null, reading.body);
      else done(reading.error, undefined);
    });
  });

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
    const error = request.url.startsWith('/health') ? undefined : drainingRefusal(dependencies.isDraining);
    if (error === undefined) {
      done();
      return;
    }
    logRejected(logger, request.id, request.routeOptions.url, error);
    void renderError(reply, codecs[dialectOfUrl(request.url)], error, request.id);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    if (dialectOfUrl(request.url) === 'anthropic') reply.header('request-id', request.id);
    done(null, payload);
  });

  if (authThrottle !== undefined) {
    // Refused before anything else, whatever key is sent: the address has failed too often.
    app.addHook('onRequest', (request, reply, done) => {
      if (isUnauthenticated(request.url)) {
        done();
        return;
      }
      const error = throttledRefusal(authThrottle, request.socket.remoteAddress ?? '');
      if (error === undefined) {
        done();
        return;
      }
      void refuseUnread(request, reply, request.routeOptions.url, error);
    });
    app.addHook('onResponse', (request, reply, done) => {
      if (reply.statusCode === 401) authThrottle.failed(request.socket.remoteAddress ?? '');
      done();
    });
  }
  // Every route that takes a body (the admin API, agent authorization, policy) checks the key
  // before the body is read, so an unauthenticated caller costs no body parsing; the handlers check
  // what the key may do again, which costs little on routes this rare. Requests without a body are
  // left to the handlers.
  const authorizeAdminEarly = adminAuthorization(dependencies.admin.keys);
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || isUnauthenticated(route) || !bodyFollows(request.headers)) return;
    const own = request.routeOptions.config.earlyAuthentication;
    const authorization =
      own !== undefined
        ? await own(request.headers)
        : route.startsWith('/admin/')
          ? await authorizeAdminEarly(request.headers)
          : await pipeline.authenticate({ headers: request.headers });
    if (authorization.ok) return;
    return refuseUnread(request, reply, route, authorization.error);
  });

  // Every route's methods, so that another method on a known path is a 405 with `Allow`.
  const methodsOf = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    const methods = methodsOf.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    if (methods.has('GET')) methods.add('HEAD');
    methodsOf.set(route.url, methods);
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
  for (const register of dependencies.routes ?? []) register(app);
  for (const [url, methods] of [...methodsOf]) {
    const others = answeredMethods.filter((method) => !methods.has(method));
    if (others.length === 0) continue;
    const allow = answeredMethods.filter((method) => methods.has(method)).join(', ');
    app.route({
      method: [...others],
      url,
      exposeHeadRoute: false,
      // Refused in `onRequest`, before Fastify would read and parse a body.
      onRequest: (request, reply, _done) => {
        const error = methodNotAllowed(`${request.method} is not allowed on ${url}; use ${allow}.`, allow);
        // Answered here: `done` is not called, so the lifecycle (body parsing included) stops.
        void refuseUnread(request, reply, url, error);
      },
      handler: (_request, reply) => reply,
    });
  }
  return app;
}
