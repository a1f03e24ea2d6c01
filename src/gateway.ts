import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.js';
import { codecs, validateEmbeddingsRequest } from './dialects/index.js';
import { buildApp, readTlsMaterial, watchTls, type TlsReloader } from './http/index.js';
import type { Server as HttpsServer } from 'node:https';
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
  /** Re-reads the TLS certificate and key (SIGHUP); a no-op without TLS. */
  reloadTls(): Promise<void>;
}

/** How often idle keep-alive connections are closed while draining (see `close`). */
const drainSweepMs = 100;

/** The composition root: builds every component from the configuration and wires them. */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const tlsPaths =
    config.server.tls === undefined
      ? undefined
      : { certPath: config.server.tls.cert_path, keyPath: config.server.tls.key_path };
  const tls = tlsPaths === undefined ? undefined : await readTlsMaterial(tlsPaths);
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
      tls,
      bodyLimitBytes: config.server.body_limit_bytes,
      keepAliveTimeoutMs: config.server.keep_alive_timeout_ms,
      streamKeepAliveMs: config.server.stream_keep_alive_ms,
    },
    pipeline,
    codecs,
    logger,
    modelNames: () => modelNames,
    isDraining: () => draining,
    readiness: {
      check: () =>
        Promise.resolve({
          ready: !draining,
          checks: { configuration: 'ok', draining: draining ? 'yes' : 'no' },
        }),
    },
  });

  let tlsReloader: TlsReloader | undefined;

  return {
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      if (tlsPaths !== undefined) {
        tlsReloader = watchTls(app.server as HttpsServer, tlsPaths, (error) => {
          if (error === undefined) logger.info('TLS certificate reloaded');
          else logger.error({ err: error }, 'TLS certificate reload failed; keeping the previous one');
        });
      }
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const scheme = tls === undefined ? 'http' : 'https';
      return { url: `${scheme}://${host}:${address.port}`, port: address.port };
    },
    async close() {
      draining = true;
      tlsReloader?.close();
      const forced = setTimeout(() => {
        logger.warn(
          { drain_timeout_ms: config.server.drain_timeout_ms },
          'drain timeout reached; closing connections',
        );
        app.server.closeAllConnections();
      }, config.server.drain_timeout_ms);
      forced.unref();
      // Connections that finish their last response during the drain become idle but stay open
      // (keep-alive); closing them as they go idle lets the process exit as soon as work is done.
      const sweep = setInterval(() => app.server.closeIdleConnections(), drainSweepMs);
      try {
        await app.close();
      } finally {
        clearTimeout(forced);
        clearInterval(sweep);
        await Promise.all([...providers.values()].map((provider) => provider.close()));
      }
    },
    reloadTls: () => tlsReloader?.reload() ?? Promise.resolve(),
  };
}
