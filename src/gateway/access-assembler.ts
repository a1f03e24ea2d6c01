import type { UsageStore } from '../accounting/index.js';
import type { Config } from '../config/index.js';
import {
  createKeyService,
  keySettingsFromConfig,
  type AuthenticationResult,
  type KeyChangeEvents,
  type KeyService,
  type KeyStore,
} from '../keys/index.js';
import { createLimiter, limiterSettingsFrom, parseBudgetScope, type Limiter } from '../limits/index.js';
import type { Authenticator } from '../pipeline/index.js';
import { createMemoryLimitStore } from '../stores/memory/memory-limit-store.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import { createRedisLimitStore } from '../stores/redis/redis-limit-store.js';
import type { Logger } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface LimitsNeeds {
  readonly config: Config;
  readonly redis: RedisConnection | undefined;
  readonly usage: UsageStore;
  readonly logger: Logger;
}

/** The limiter: counters in Redis when configured (with a per-replica fallback), else in process. */
export function assembleLimits(needs: LimitsNeeds): Contribution<Limiter> {
  const { redis, usage } = needs;
  const limiter = createLimiter({
    ...limiterSettingsFrom(needs.config),
    store: redis === undefined ? createMemoryLimitStore() : createRedisLimitStore({ connection: redis }),
    fallback: redis === undefined ? undefined : createMemoryLimitStore(),
    spentSince: (scope, since) => usage.spentSince(parseBudgetScope(scope), since),
    logger: needs.logger,
  });
  return { parts: limiter, close: () => limiter.close() };
}

export interface KeysNeeds {
  readonly config: Config;
  readonly store: KeyStore;
  readonly masterKey: string;
  readonly logger: Logger;
  /** Filled with the ids of keys that authenticated (see the metrics assembler). */
  readonly authenticatedKeyIds: Set<string>;
  /** Filled with the agent ids of keys that authenticated, on any route (the metrics' `agent` labels). */
  readonly authenticatedAgentIds?: Set<string>;
  /** Key changes made through the admin API, for the audit trail. */
  readonly events?: KeyChangeEvents;
}

export interface KeyParts {
  readonly keys: KeyService;
  readonly authenticator: Authenticator;
}

/** The key service, refreshing its cache from the database until closed. */
export function assembleKeys(needs: KeysNeeds): Contribution<KeyParts> {
  const keys = createKeyService({
    store: needs.store,
    ...keySettingsFromConfig(needs.config),
    masterKey: needs.masterKey,
    logger: needs.logger,
    ...(needs.events === undefined ? {} : { events: needs.events }),
  });
  keys.start();
  const service = notingAgents(authenticatingOncePerRequest(keys), needs.authenticatedAgentIds);
  const { authenticatedKeyIds } = needs;
  const noteKey = (result: AuthenticationResult): AuthenticationResult => {
    if (result.type === 'authenticated') authenticatedKeyIds.add(result.principal.keyId);
    return result;
  };
  const authenticator: Authenticator = {
    authenticate(headers) {
      const result = service.authenticate(headers);
      return result instanceof Promise ? result.then(noteKey) : noteKey(result);
    },
  };
  return { parts: { keys: service, authenticator }, close: () => keys.stop() };
}

/**
 * Agent ids of keys that authenticate are the `agent` label values metrics keep whatever their
 * number: there are as many as agent keys. Noted by the key service itself, so the agent routes
 * (which ask it directly) note them too.
 */
function notingAgents(keys: KeyService, agentIds: Set<string> | undefined): KeyService {
  if (agentIds === undefined) return keys;
  const note = (result: AuthenticationResult): AuthenticationResult => {
    if (result.type === 'authenticated' && result.principal.agentId !== undefined)
      agentIds.add(result.principal.agentId);
    return result;
  };
  return {
    ...keys,
    authenticate(headers) {
      const result = keys.authenticate(headers);
      return result instanceof Promise ? result.then(note) : note(result);
    },
  };
}

/**
 * The HTTP app checks the key of a request with a body before reading it, and the route's handler
 * asks again for what the key may do: one request's headers (the same object both times) are
 * authenticated once, which saves a SHA-256 and a cache lookup on every agent and admin request.
 */
function authenticatingOncePerRequest(keys: KeyService): KeyService {
  const byHeaders = new WeakMap<object, ReturnType<KeyService['authenticate']>>();
  return {
    ...keys,
    authenticate(headers) {
      const known = byHeaders.get(headers);
      if (known !== undefined) return known;
      const result = keys.authenticate(headers);
      byHeaders.set(headers, result);
      return result;
    },
  };
}
