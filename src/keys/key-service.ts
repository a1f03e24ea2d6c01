import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { createKeyAdministration, type KeyAdministration } from './key-administration.js';
import {
  createKeyAuthenticator,
  masterKeyDigest,
  type KeyAuthenticator,
  type KeyLogger,
} from './key-authenticator.js';
import { createKeyCache } from './key-cache.js';
import type { KeyChangeEvents } from './key-events.js';
import type { RandomBytes } from './key-format.js';
import { createKeyRefresh, type ClearIntervalFunction, type SetIntervalFunction } from './key-refresh.js';
import { createKeyValidation } from './key-validation.js';
import type { Principal } from './principal.js';
import { mergeTiers, resolveLimits, type TierLimits } from './tiers.js';
import type { KeyStore, StoredKey } from './types.js';

export interface KeyServiceOptions {
  readonly store: KeyStore;
  /** Configured tiers, merged over the built-in `free`, `pro` and `enterprise`. */
  readonly tiers?: Readonly<Record<string, TierLimits>>;
  /** The tier of keys created without one; it must exist. */
  readonly defaultTier?: string;
  /** Requests per minute for a key whose tier and overrides set none. */
  readonly defaultRequestsPerMinute?: number | undefined;
  /** Undefined where nobody authenticates (the command line). */
  readonly masterKey?: string | undefined;
  readonly masterLimits?: TierLimits;
  /** At most 1000: a revocation must reach every replica within one second. */
  readonly refreshIntervalMs?: number;
  /** See KeyRefreshDependencies.overlapMs: the clock skew between writers that is tolerated. */
  readonly refreshOverlapMs?: number;
  /** Cached key hashes (known and unknown); 10,000 entries are a few MB. */
  readonly cacheCapacity?: number;
  readonly now?: () => number;
  readonly setInterval?: SetIntervalFunction;
  readonly clearInterval?: ClearIntervalFunction;
  readonly randomBytes?: RandomBytes;
  readonly logger?: KeyLogger;
  /** Told of every key created, updated or revoked through this service (the audit trail). */
  readonly events?: KeyChangeEvents;
}

export interface KeyService extends KeyAuthenticator, KeyAdministration {
  /** Every tier that exists (built-in ones with configuration applied). */
  readonly tiers: Readonly<Record<string, TierLimits>>;
  /** Starts the background refresh that carries changes made on other replicas into the cache. */
  start(): void;
  stop(): Promise<void>;
  /** One refresh now; never rejects. */
  refresh(): Promise<void>;
}

export function createKeyService(options: KeyServiceOptions): KeyService {
  const { store } = options;
  const now = options.now ?? Date.now;
  const tiers = mergeTiers(options.tiers ?? {});
  const defaultTier = options.defaultTier ?? 'pro';
  const defaultTierLimits = tiers[defaultTier];
  if (defaultTierLimits === undefined) {
    throw new Error(
      `The default tier '${defaultTier}' is not a tier; the tiers are ${Object.keys(tiers).join(', ')}.`,
    );
  }
  const refreshIntervalMs = options.refreshIntervalMs ?? 500;
  if (!(refreshIntervalMs > 0 && refreshIntervalMs <= 1_000)) {
    throw new Error(`The key refresh interval must be between 1 and 1000 ms, not ${refreshIntervalMs}.`);
  }

  function principalOf(key: StoredKey): Principal {
    // A key whose tier was removed from the configuration keeps the default tier's limits rather
    // than silently losing all of them.
    const tier = tiers[key.tier] ?? defaultTierLimits ?? {};
    return Object.freeze({
      keyId: key.id,
      kind: 'virtual',
      name: key.name,
      role: key.role,
      tier: key.tier,
      team: key.team,
      owner: key.owner,
      agentId: key.agentId,
      models: key.models,
      limits: resolveLimits(tier, key.limits, options.defaultRequestsPerMinute),
      budget: key.budget,
      metadata: key.metadata,
    });
  }

  const master =
    options.masterKey === undefined
      ? undefined
      : {
          digest: masterKeyDigest(options.masterKey),
          principal: Object.freeze<Principal>({
            keyId: 'master',
            kind: 'master',
            name: 'master',
            role: 'admin',
            tier: undefined,
            team: undefined,
            owner: undefined,
            agentId: undefined,
            models: [],
            limits: resolveLimits(options.masterLimits ?? {}, {}, undefined),
            budget: undefined,
            metadata: Object.freeze({}),
          }),
        };

  const cache = createKeyCache(options.cacheCapacity ?? 10_000);
  const changed = (key: StoredKey): void => cache.applyChange(key, principalOf);
  const authenticator = createKeyAuthenticator({
    store,
    cache,
    principalOf,
    master,
    unknownKeyTtlMs: refreshIntervalMs,
    now,
    logger: options.logger,
  });
  const refresh = createKeyRefresh({
    store,
    apply: changed,
    intervalMs: refreshIntervalMs,
    overlapMs: options.refreshOverlapMs ?? 5_000,
    now,
    setInterval: options.setInterval ?? ((callback, milliseconds) => setInterval(callback, milliseconds)),
    clearInterval: options.clearInterval ?? ((handle) => clearInterval(handle as NodeJS.Timeout)),
    logger: options.logger,
  });
  const administration = createKeyAdministration({
    store,
    validation: createKeyValidation({ tierNames: Object.keys(tiers), now }),
    defaultTier,
    now,
    randomBytes: options.randomBytes ?? cryptoRandomBytes,
    changed,
    events: options.events,
  });

  return {
    tiers,
    authenticate: (headers) => authenticator.authenticate(headers),
    authenticateDigest: (hash) => authenticator.authenticateDigest(hash),
    ...administration,
    start: () => refresh.start(),
    stop: () => refresh.stop(),
    refresh: () => refresh.refresh(),
  };
}
