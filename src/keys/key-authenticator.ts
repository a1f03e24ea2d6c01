import { createHash, hash as sha, timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../errors/index.js';
import type { CacheEntry, KeyCache } from './key-cache.js';
import { isWellFormedKey } from './key-format.js';
import { presentedKey, type RequestHeaders } from './presented-key.js';
import type { Principal } from './principal.js';
import type { KeyStore, StoredKey } from './types.js';

export type AuthenticationResult =
  | { readonly type: 'authenticated'; readonly principal: Principal }
  | { readonly type: 'rejected'; readonly error: GatewayError };

/** Only what key handling logs: failures of the store, never a key. */
export interface KeyLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

export interface KeyAuthenticatorDependencies {
  readonly store: Pick<KeyStore, 'findByHash'>;
  readonly cache: KeyCache;
  readonly principalOf: (key: StoredKey) => Principal;
  /** The master key's SHA-256 digest and principal; undefined where there is no master key (the CLI). */
  readonly master: { readonly digest: Buffer; readonly principal: Principal } | undefined;
  /** How long "no such key" is remembered; at most the refresh interval, so a new key is never refused longer. */
  readonly unknownKeyTtlMs: number;
  readonly now: () => number;
  readonly logger: KeyLogger | undefined;
}

export interface KeyAuthenticator {
  /**
   * Synchronous for the master key, malformed keys and cached keys (the hot path allocates no
   * promise); a promise only when the store must be asked.
   */
  authenticate(headers: RequestHeaders): AuthenticationResult | Promise<AuthenticationResult>;
  /**
   * A virtual key by the SHA-256 of its secret (hex), as stored: what a delegation grant bound to
   * the key presents on the model routes. The same cache, revocation and expiry as `authenticate`.
   */
  authenticateDigest(hash: string): AuthenticationResult | Promise<AuthenticationResult>;
}

/** Presented keys whose hash is remembered at most. */
const rememberedHashes = 10_000;

const missing: AuthenticationResult = {
  type: 'rejected',
  error: new GatewayError(
    'missing_api_key',
    'No API key provided. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  ),
};
const invalid: AuthenticationResult = {
  type: 'rejected',
  error: new GatewayError('invalid_api_key', 'Incorrect API key provided.'),
};
const revoked: AuthenticationResult = {
  type: 'rejected',
  error: new GatewayError('revoked_api_key', 'This API key has been revoked.'),
};

export function createKeyAuthenticator(dependencies: KeyAuthenticatorDependencies): KeyAuthenticator {
  const { store, cache, principalOf, master, unknownKeyTtlMs, now, logger } = dependencies;
  // One store query per unknown hash at a time, however many requests present it at once.
  const lookups = new Map<string, Promise<CacheEntry | undefined>>();

  function verdict(entry: CacheEntry): AuthenticationResult {
    if (entry.type === 'unknown') return invalid;
    const { key, principal } = entry;
    if (key.revokedAt !== undefined) return revoked;
    if (key.expiresAt !== undefined && now() >= key.expiresAt) {
      return {
        type: 'rejected',
        error: new GatewayError(
          'expired_api_key',
          `This API key expired at ${new Date(key.expiresAt).toISOString()}.`,
        ),
      };
    }
    return { type: 'authenticated', principal };
  }

  function lookup(hash: string): Promise<CacheEntry | undefined> {
    const pending = lookups.get(hash);
    if (pending !== undefined) return pending;
    const started = store.findByHash(hash).then(
      (key): CacheEntry => {
        const entry: CacheEntry =
          key === undefined
            ? { type: 'unknown', until: now() + unknownKeyTtlMs }
            : { type: 'known', key, principal: principalOf(key) };
        // A refresh may have cached a newer version while this query ran; keep the newer one.
        const cached = cache.get(hash, now());
        if (
          cached?.type === 'known' &&
          (entry.type === 'unknown' || cached.key.updatedAt > entry.key.updatedAt)
        ) {
          return cached;
        }
        cache.set(hash, entry);
        return entry;
      },
      (error: unknown) => {
        logger?.warn({ err: error }, 'key lookup failed');
        return undefined;
      },
    );
    const settled = started.finally(() => lookups.delete(hash));
    lookups.set(hash, settled);
    return settled;
  }

  /**
   * The hash of recently presented well-formed virtual keys, so that a caller's every request does
   * not pay for SHA-256. Only keys that are not the master key are remembered (the master key is
   * always compared in constant time). Cleared when full: callers present few distinct keys, and
   * an attacker presenting many only makes their own requests hash again.
   */
  const hashes = new Map<string, string>();

  function hashOf(key: string): string | AuthenticationResult {
    const remembered = hashes.get(key);
    if (remembered !== undefined) return remembered;
    const digest = sha('sha256', key, 'buffer');
    // Compared as digests so the comparison takes the same time whatever was presented.
    if (master !== undefined && timingSafeEqual(digest, master.digest)) {
      return { type: 'authenticated', principal: master.principal };
    }
    if (!isWellFormedKey(key)) return invalid;
    const hash = digest.toString('hex');
    if (hashes.size >= rememberedHashes) hashes.clear();
    hashes.set(key, hash);
    return hash;
  }

  function byDigest(hash: string): AuthenticationResult | Promise<AuthenticationResult> {
    const cached = cache.get(hash, now());
    if (cached !== undefined) return verdict(cached);
    return lookup(hash).then((entry) =>
      entry === undefined
        ? {
            type: 'rejected',
            error: new GatewayError(
              'service_unavailable',
              'API keys cannot be checked right now; try again shortly.',
              {
                headers: { 'retry-after': '1' },
              },
            ),
          }
        : verdict(entry),
    );
  }

  return {
    authenticate(headers) {
      const key = presentedKey(headers);
      if (key === undefined) return missing;
      const hash = hashOf(key);
      return typeof hash === 'string' ? byDigest(hash) : hash;
    },
    authenticateDigest: (hash) => (/^[0-9a-f]{64}$/.test(hash) ? byDigest(hash) : invalid),
  };
}

export function masterKeyDigest(masterKey: string): Buffer {
  return createHash('sha256').update(masterKey).digest();
}
