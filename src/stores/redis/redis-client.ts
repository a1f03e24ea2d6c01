import { performance } from 'node:perf_hooks';
import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { Logger } from '../../telemetry/index.js';
import { parseRedisUrl, redactRedisUrl } from './redis-url.js';

export type RedisClient = Redis | Cluster;

export interface RedisHealth {
  /** `connecting` until the first connection succeeds or fails. */
  readonly state: 'connecting' | 'up' | 'down';
  /** Unix milliseconds of the last change of state. */
  readonly since: number;
  readonly lastError: string | undefined;
}

export interface RedisConnectionOptions {
  /** `redis://`, `rediss://`, `redis+sentinel://` or `redis+cluster://` (see `redis-url.ts`). */
  readonly url: string;
  readonly logger: Logger;
  /** Prepended to every key (ioredis `keyPrefix`); tests use one per run to stay apart. */
  readonly keyPrefix?: string | undefined;
  /**
   * Limits and the L2 cache sit on the request path, where a slow Redis must cost little: a command
   * unanswered after this long fails and the caller falls back. A healthy Redis answers in < 1 ms.
   * It also bounds the ready check of a new connection, so a connection accepted but never
   * answered (a peer or proxy that stopped forwarding) is dropped and tried again.
   */
  readonly commandTimeoutMs?: number | undefined;
  readonly connectTimeoutMs?: number | undefined;
  /** Shown by `CLIENT LIST`, to tell the gateway's connections apart. */
  readonly connectionName?: string | undefined;
  readonly now?: (() => number) | undefined;
}

export interface RedisConnection {
  readonly client: RedisClient;
  readonly keyPrefix: string;
  health(): RedisHealth;
  /** Round-trip time in milliseconds; rejects when Redis does not answer. */
  ping(): Promise<number>;
  /** Resolves true once connected, false if that takes longer than `timeoutMs`. */
  ready(timeoutMs: number): Promise<boolean>;
  /**
   * Tells the connection a command failed. A timeout means the connection is stuck (a peer that
   * vanished without closing the socket): it is marked down and re-established, so that callers
   * fall back at once instead of each waiting out the timeout.
   */
  reportFailure(error: unknown): void;
  /**
   * Bounds a command by the command timeout. The rejection is deferred by one `setImmediate`: after
   * an event-loop stall, timers run before I/O is read, so a reply that already arrived would
   * otherwise lose to its own timeout and a busy replica would declare Redis down (and fall back
   * to per-replica limits) while Redis was answering all along.
   */
  withDeadline<T>(command: Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const defaultCommandTimeoutMs = 500;
const defaultConnectTimeoutMs = 2_000;
/** Reconnection backs off from 100 ms to this, forever: Redis coming back is noticed within 2 s. */
const maxReconnectDelayMs = 2_000;

/**
 * A Redis client that fails fast and heals by itself: no offline queue (a command while
 * disconnected fails at once instead of waiting), no resending after a reconnection (a limit
 * script must not run twice), short timeouts, reconnection forever with backoff, and a health
 * state whose changes are logged once each.
 */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const keyPrefix = options.keyPrefix ?? '';
  const commandTimeoutMs = options.commandTimeoutMs ?? defaultCommandTimeoutMs;
  const location = redactRedisUrl(options.url);
  const client = createClient(options, keyPrefix);
  let health: RedisHealth = { state: 'connecting', since: now(), lastError: undefined };
  let closing = false;

  function enter(state: 'up' | 'down') {
    if (health.state === state || closing) return;
    const previous = health.state;
    health = { state, since: now(), lastError: health.lastError };
    if (state === 'up') {
      logger.info({ redis: location }, previous === 'down' ? 'Redis is reachable again' : 'Redis connected');
    } else {
      logger.warn(
        { redis: location, error: health.lastError },
        'Redis is unreachable; reconnecting in the background',
      );
    }
  }

  client.on('ready', () => enter('up'));
  for (const event of ['close', 'end', 'reconnecting']) client.on(event, () => enter('down'));
  // Without a listener, ioredis prints every failed reconnection; the state change is logged once.
  client.on('error', (error: unknown) => {
    health = { ...health, lastError: describe(error) };
    if (health.state === 'connecting') enter('down');
  });
  if (client instanceof Cluster) {
    client.on('node error', (error: unknown) => {
      health = { ...health, lastError: describe(error) };
    });
  }

  return {
    client,
    keyPrefix,
    health: () => health,
    async ping() {
      const started = performance.now();
      await client.ping();
      return performance.now() - started;
    },
    ready(timeoutMs) {
      if (health.state === 'up') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          client.off('ready', onReady);
          resolve(false);
        }, timeoutMs);
        const onReady = () => {
          clearTimeout(timer);
          resolve(true);
        };
        client.once('ready', onReady);
      });
    },
    withDeadline(command) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          setImmediate(() => reject(new Error('Command timed out')));
        }, commandTimeoutMs);
        command.then(
          (value) => {
            clearTimeout(timer);
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      });
    },
    reportFailure(error) {
      const message = describe(error);
      if (!message.includes('timed out') || health.state !== 'up') return;
      health = { ...health, lastError: message };
      enter('down');
      client.disconnect(true);
    },
    async close() {
      closing = true;
      try {
        await client.quit();
      } catch {
        // Not connected: nothing to say goodbye to.
      } finally {
        client.disconnect();
        health = { state: 'down', since: now(), lastError: 'the connection was closed' };
      }
    },
  };
}

function createClient(options: RedisConnectionOptions, keyPrefix: string): RedisClient {
  const target = parseRedisUrl(options.url);
  const base = {
    // A backstop only: the hot path bounds its commands itself (withDeadline), the client's own
    // timer fires before a reply read after an event-loop stall.
    commandTimeout: (options.commandTimeoutMs ?? defaultCommandTimeoutMs) * 4,
    connectTimeout: options.connectTimeoutMs ?? defaultConnectTimeoutMs,
    connectionName: options.connectionName,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // TCP keep-alive notices a peer that vanished without closing the connection.
    keepAlive: 10_000,
    // After a Sentinel failover the old master answers READONLY: reconnect to find the new one.
    reconnectOnError: (error: Error) => error.message.startsWith('READONLY'),
    // Commands issued in the same tick (the admissions and settlements of concurrent requests)
    // go out in one write and their replies come back in one read.
    enableAutoPipelining: true,
  } satisfies RedisOptions;
  switch (target.kind) {
    case 'standalone':
      return new Redis(target.url, {
        ...base,
        keyPrefix,
        enableOfflineQueue: false,
        retryStrategy: reconnectDelay,
      });
    case 'sentinel':
      return new Redis({
        ...base,
        keyPrefix,
        enableOfflineQueue: false,
        retryStrategy: reconnectDelay,
        sentinels: target.sentinels.map((node) => ({ host: node.host, port: node.port })),
        name: target.masterName,
        db: target.db,
        username: target.username,
        password: target.password,
        sentinelPassword: target.sentinelPassword,
        tls: target.tls ? {} : undefined,
        enableTLSForSentinelMode: target.tls,
      });
    case 'cluster': {
      const clusterOptions: ClusterOptions = {
        keyPrefix,
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: reconnectDelay,
        redisOptions: {
          ...base,
          username: target.username,
          password: target.password,
          tls: target.tls ? {} : undefined,
        },
      };
      return new Cluster(
        target.nodes.map((node) => ({ host: node.host, port: node.port })),
        clusterOptions,
      );
    }
    default: {
      const unknown: never = target;
      throw new Error(`unknown Redis target ${JSON.stringify(unknown)}`);
    }
  }
}

function reconnectDelay(attempt: number): number {
  return Math.min(maxReconnectDelayMs, 50 * 2 ** Math.min(attempt, 6));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
