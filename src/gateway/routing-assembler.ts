import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import type { Dialect } from '../llm/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import { createImplicitProviders } from '../providers/implicit-providers.js';
import { createProviders } from '../providers/registry.js';
import {
  createAnsweringTargets,
  createCircuitBreakers,
  createModelResolver,
  breakerSettingsFrom,
  routingSettingsFrom,
  createRouter,
  createTargetStats,
  type CircuitBreakers,
  type ModelResolver,
  type Router,
  type RouterObserver,
} from '../routing/index.js';
import { createRedisBreakerChannel } from '../stores/redis/redis-breaker-channel.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import type { Contribution } from './assembly.js';

export interface ProviderParts {
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  readonly resolver: ModelResolver;
}

/** One adapter per configured provider (each with its keep-alive pool), and the model resolver. */
export function assembleProviders(config: Config): Contribution<ProviderParts> {
  const providers = createProviders(config, { connectTimeoutMs: config.defaults.timeouts.connect_ms });
  return {
    parts: {
      providers,
      resolver: createModelResolver({
        settings: routingSettingsFrom(config),
        providers,
        implicitProvider: createImplicitProviders(providers, { mockEnabled: config.mock.enabled }),
      }),
    },
    close: async () => {
      await Promise.all([...providers.values()].map((provider) => provider.close()));
    },
  };
}

export interface RoutingNeeds {
  readonly config: Config;
  readonly redis: RedisConnection | undefined;
  readonly resolver: ModelResolver;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly observer: RouterObserver;
}

export interface RoutingParts {
  readonly router: Router;
  readonly breakers: CircuitBreakers;
  /** The targets that may answer a model, fallbacks included (budget checks price the dearest). */
  readonly answeringTargets: ReturnType<typeof createAnsweringTargets>;
}

/** Circuit breakers (shared by replicas over Redis pub/sub when configured) and the router. */
export function assembleRouting(needs: RoutingNeeds): Contribution<RoutingParts> {
  const { redis } = needs;
  // Pub/sub channels are not key-prefixed by the client: the prefix goes into the channel name.
  const breakerChannel =
    redis !== undefined && redis.client instanceof Redis
      ? createRedisBreakerChannel(redis.client, `${redis.keyPrefix}breakers`)
      : undefined;
  const breakers = createCircuitBreakers(breakerSettingsFrom(needs.config), breakerChannel);
  const router = createRouter({
    resolver: needs.resolver,
    codecs: needs.codecs,
    breakers,
    stats: createTargetStats(),
    observer: needs.observer,
  });
  return {
    parts: { router, breakers, answeringTargets: createAnsweringTargets(needs.resolver) },
    ...(breakerChannel === undefined ? {} : { close: () => breakerChannel.close() }),
  };
}
