import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.js';
import { codecs, validateEmbeddingsRequest } from './dialects/index.js';
import { buildApp } from './http/index.js';
import { createMasterKeyAuthenticator, createPipeline, createRequestLogger } from './pipeline/index.js';
import { createProviders } from './providers/registry.js';
import {
  createCircuitBreakers,
  createModelResolver,
  createRouter,
  createTargetStats,
} from './routing/index.js';
import type { Logger } from './telemetry/index.js';

export interface GatewayOptions {
  readonly config: Config;
  readonly masterKey: string;
  readonly logger: Logger;
}

export interface Gateway {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Graceful shutdown: readiness turns false, new connections are refused, requests and streams in
   * flight finish (up to the drain timeout), then everything is closed.
   */
  close(): Promise<void>;
}

/** The composition root: builds every component from the configuration and wires them. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, logger } = options;
  const providers = createProviders(config, { connectTimeoutMs: config.defaults.timeouts.connect_ms });
  const resolver = createModelResolver(config, providers);
  const breaker = config.circuit_breaker;
  const breakers = createCircuitBreakers(
    {
      failureRate: breaker.failure_rate,
      minimumRequests: breaker.minimum_requests,
      windowMs: breaker.window_ms,
      openMs: breaker.open_ms,
      halfOpenProbes: breaker.half_open_probes,
    },
    undefined,
  );
  const router = createRouter({ resolver, codecs, breakers, stats: createTargetStats() });
  const pipeline = createPipeline({
    authenticator: createMasterKeyAuthenticator(options.masterKey),
    router,
    codecs,
    validateEmbeddings: validateEmbeddingsRequest,
    requestLog: createRequestLogger(logger),
  });
  let draining = false;
  const modelNames = config.mock.enabled
    ? [...resolver.configuredNames(), 'mock']
    : resolver.configuredNames();
  const app = buildApp({
    settings: {
      bodyLimitBytes: config.server.body_limit_bytes,
      keepAliveTimeoutMs: config.server.keep_alive_timeout_ms,
      streamKeepAliveMs: config.server.stream_keep_alive_ms,
    },
    pipeline,
    codecs,
    logger,
    modelNames: () => modelNames,
    readiness: {
      check: () =>
        Promise.resolve({
          ready: !draining,
          checks: { configuration: 'ok', draining: draining ? 'yes' : 'no' },
        }),
    },
  });

  return {
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { url: `http://${host}:${address.port}`, port: address.port };
    },
    async close() {
      draining = true;
      const forced = setTimeout(() => {
        logger.warn(
          { drain_timeout_ms: config.server.drain_timeout_ms },
          'drain timeout reached; closing connections',
        );
        app.server.closeAllConnections();
      }, config.server.drain_timeout_ms);
      forced.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(forced);
        await Promise.all([...providers.values()].map((provider) => provider.close()));
      }
    },
  };
}
