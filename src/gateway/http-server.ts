import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/index.js';
import { watchTls, type TlsPaths, type TlsReloader } from '../http/index.js';
import { startMetricsServer, type Logger, type Metrics, type MetricsServer } from '../telemetry/index.js';

/** How often idle keep-alive connections are closed while draining (see `close`). */
const drainSweepMs = 100;

export interface ServerLifecycleOptions {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly app: FastifyInstance;
  readonly tlsPaths: TlsPaths | undefined;
  /** Turns true when closing begins: the app refuses new requests and readiness turns false. */
  readonly drain: { started: boolean };
}

export interface ServerLifecycle {
  readonly listen: () => Promise<{ url: string; port: number }>;
  readonly reloadTls: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/** Listening (the app, TLS reloading, the metrics port) and the graceful drain that ends it. */
export function createServerLifecycle(options: ServerLifecycleOptions): ServerLifecycle {
  const { config, logger, app, tlsPaths } = options;
  let tlsReloader: TlsReloader | undefined;
  let metricsServer: MetricsServer | undefined;

  return {
    async listen() {
      await app.listen({ host: config.server.host, port: config.server.port });
      if (tlsPaths !== undefined) {
        tlsReloader = watchTls(app.server as unknown as HttpsServer, tlsPaths, (error) => {
          if (error === undefined) logger.info('TLS certificate reloaded');
          else logger.error({ err: error }, 'TLS certificate reload failed; keeping the previous one');
        });
      }
      if (config.server.metrics_port !== 0) {
        metricsServer = await startMetricsServer({
          host: config.server.metrics_host,
          port: config.server.metrics_port,
          metrics: options.metrics,
        });
      }
      const address = app.server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      const scheme = tlsPaths === undefined ? 'http' : 'https';
      return { url: `${scheme}://${host}:${address.port}`, port: address.port };
    },
    reloadTls: () => tlsReloader?.reload() ?? Promise.resolve(),
    async close() {
      options.drain.started = true;
      tlsReloader?.close();
      try {
        await drainConnections(app, config.server.drain_timeout_ms, logger);
      } finally {
        // Streams finish writing their usage records when they end; give their last callbacks a turn.
        await new Promise((resolve) => setImmediate(resolve));
        await metricsServer?.close();
      }
    },
  };
}

/**
 * Closes the app once requests and streams in flight have finished, or when the drain timeout
 * cuts them off.
 */
async function drainConnections(app: FastifyInstance, drainTimeoutMs: number, logger: Logger): Promise<void> {
  const forced = setTimeout(() => {
    logger.warn({ drain_timeout_ms: drainTimeoutMs }, 'drain timeout reached; closing connections');
    app.server.closeAllConnections();
  }, drainTimeoutMs);
  forced.unref();
  // Connections that finish their last response during the drain become idle but stay open
  // (keep-alive); closing them as they go idle lets the process exit as soon as work is done.
  const sweep = setInterval(() => app.server.closeIdleConnections(), drainSweepMs);
  try {
    await app.close();
  } finally {
    clearTimeout(forced);
    clearInterval(sweep);
  }
}
