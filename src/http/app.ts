import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { DialectCodec } from '../dialects/codec.js';
import type { Dialect } from '../llm/index.js';
import type { Pipeline } from '../pipeline/index.js';
import { createModelHandler } from './chat-handler.js';
import { fromFrameworkError } from './framework-errors.js';
import { registerHealthRoutes, type Readiness } from './health-routes.js';
import { parseJsonObject } from './json-body.js';
import { registerModelListRoute } from './models-route.js';
import { renderError } from './render-error.js';
import { requestIdOf } from './request-id.js';
import { GatewayError } from '../errors/index.js';

export interface AppSettings {
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
}

/** The dialect a route speaks: `/v1/messages` is Anthropic's; everything else answers as OpenAI. */
function dialectOfUrl(url: string): Dialect {
  return url.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}

function logRejected(logger: Logger, requestId: string, route: string, error: GatewayError): void {
  logger.info({ request_id: requestId, route, status: error.status, error_code: error.code }, 'request');
}

export function buildApp(dependencies: AppDependencies): FastifyInstance {
  const { settings, pipeline, codecs, logger } = dependencies;
  const app = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    // Above the keep-alive timeout, as Node requires, so idle connections close cleanly.
    http: { headersTimeout: settings.keepAliveTimeoutMs + 1_000, requestTimeout: 0 },
    genReqId: requestIdOf,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });

  app.removeAllContentTypeParsers();
  // Bodies are read as bytes so that invalid UTF-8 is rejected instead of silently replaced.
  app.addContentTypeParser(/^application\/([\w.+-]*\+)?json(\s*;.*)?$/i, { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseJsonObject(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const gatewayError = fromFrameworkError(error, settings.bodyLimitBytes);
    if (gatewayError.status >= 500) logger.error({ err: error, request_id: request.id }, 'unhandled error');
    // Requests refused before the pipeline (unparsable body, too large, wrong media type) still
    // get their one log line.
    if (!reply.sent) logRejected(logger, request.id, request.routeOptions.url ?? request.url, gatewayError);
    return renderError(reply, codecs[dialectOfUrl(request.url)], gatewayError, request.id);
  });
  app.setNotFoundHandler((request, reply) =>
    renderError(
      reply,
      codecs[dialectOfUrl(request.url)],
      new GatewayError('not_found', `No route ${request.method} ${request.url.split('?')[0] ?? ''}.`),
      request.id,
    ),
  );
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });

  const handler = (dialect: Dialect, operation: 'chat' | 'embeddings') =>
    createModelHandler({ pipeline, codec: codecs[dialect], operation, streamKeepAliveMs: settings.streamKeepAliveMs });
  app.post('/v1/chat/completions', handler('openai', 'chat'));
  app.post('/chat/completions', handler('openai', 'chat'));
  app.post('/v1/embeddings', handler('openai', 'embeddings'));
  app.post('/embeddings', handler('openai', 'embeddings'));
  app.post('/v1/messages', handler('anthropic', 'chat'));
  registerModelListRoute(app, { pipeline, codecs, modelNames: dependencies.modelNames });
  registerHealthRoutes(app, dependencies.readiness);
  return app;
}
