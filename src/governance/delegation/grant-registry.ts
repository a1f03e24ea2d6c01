import { grantState, type Grant, type GrantRefusalReason } from './grant.js';
import type { GrantRevocationChannel, GrantStore } from './grant-store.js';
import { grantIdOf, tokenMatches } from './grant-token.js';
import { createRevocationFollower } from './revocation-follower.js';
import { compileScopes, type CompiledScopes } from './scope-algebra.js';

/**
 * The grants this replica knows, and the revocations it has heard of. A presented token is
 * resolved from the cache when it can be (synchronously: no promise on the hot path), else from
 * the store, once per grant however many requests present it at once. Revocations made anywhere
 * reach this replica through the revocation follower (pub/sub when configured, and polling), and
 * a grant is refused when it or any ancestor is revoked: revoking a grant revokes its descendants
 * here without knowing them.
 */

export interface ActiveGrant {
  readonly grant: Grant;
  /** Root first; empty for a root. */
  readonly ancestors: readonly Grant[];
  readonly scopes: CompiledScopes;
}

export type GrantResolution =
  | { readonly type: 'active'; readonly active: ActiveGrant }
  | { readonly type: 'refused'; readonly reason: GrantRefusalReason; readonly grant: Grant | undefined }
  /** The store could not be asked: try again shortly. */
  | { readonly type: 'unavailable' };

export interface GrantRegistry {
  resolve(token: string): GrantResolution | Promise<GrantResolution>;
  /** A grant and its ancestors by id, from the store (revocation); undefined when unknown. */
  lookup(id: string): Promise<{ readonly grant: Grant; readonly ancestors: readonly Grant[] } | undefined>;
  /** A grant this replica stored: cached at once. */
  stored(grant: Grant, ancestors: readonly Grant[]): void;
  /** Revocations this replica made: in force here at once, and announced to the others. */
  revoked(ids: readonly string[], expiresAt: number): void;
  start(): void;
  stop(): Promise<void>;
  /** One poll of the store's revocations now (also what the timer runs); never rejects. */
  refresh(): Promise<void>;
}

export interface GrantRegistryDependencies {
  readonly store: GrantStore;
  readonly channel: GrantRevocationChannel | undefined;
  /** How often revocations are read from the store: at most 500 ms without a channel. */
  readonly pollIntervalMs: number;
  readonly now: () => number;
  readonly onError: (error: unknown, message: string) => void;
  /** Grants cached at most (known and unknown ids). */
  readonly capacity?: number;
}

type Entry =
  | { readonly type: 'known'; readonly active: ActiveGrant }
  /** A dangling lineage (an ancestor missing from the store): refused as revoked. */
  | { readonly type: 'broken'; readonly grant: Grant }
  | { readonly type: 'unknown'; readonly until: number };

export function createGrantRegistry(dependencies: GrantRegistryDependencies): GrantRegistry {
  const { store, now } = dependencies;
  const capacity = dependencies.capacity ?? 10_000;
  const entries = new Map<string, Entry>();
  const loading = new Map<string, Promise<Entry | undefined>>();
  const follower = createRevocationFollower(dependencies);

  function remember(id: string, entry: Entry): void {
    entries.delete(id);
    entries.set(id, entry);
    while (entries.size > capacity) {
      const oldest = entries.keys().next();
      if (oldest.done === true) break;
      entries.delete(oldest.value);
    }
  }

  function cached(id: string): Entry | undefined {
    const entry = entries.get(id);
    if (entry === undefined) return undefined;
    const expired =
      entry.type === 'unknown' ? entry.until <= now() : now() >= grantOf(entry).expiresAt + 60_000;
    if (expired) {
      entries.delete(id);
      return undefined;
    }
    remember(id, entry);
    return entry;
  }

  async function read(id: string): Promise<Entry> {
    const grant = await store.find(id);
    if (grant === undefined) return { type: 'unknown', until: now() + dependencies.pollIntervalMs };
    const found = await store.findMany(grant.lineage);
    const byId = new Map(found.map((ancestor) => [ancestor.id, ancestor]));
    const ancestors = grant.lineage.map((ancestorId) => byId.get(ancestorId));
    if (ancestors.some((ancestor) => ancestor === undefined)) return { type: 'broken', grant };
    return { type: 'known', active: activeOf(grant, ancestors as Grant[]) };
  }

  function load(id: string): Promise<Entry | undefined> {
    const pending = loading.get(id);
    if (pending !== undefined) return pending;
    const started = read(id).then(
      (entry) => {
        remember(id, entry);
        return entry;
      },
      (error: unknown) => {
        dependencies.onError(error, 'could not read a grant');
        return undefined;
      },
    );
    const settled = started.finally(() => loading.delete(id));
    loading.set(id, settled);
    return settled;
  }

  function verdict(entry: Entry, token: string): GrantResolution {
    if (entry.type === 'unknown') return { type: 'refused', reason: 'unknown', grant: undefined };
    const grant = grantOf(entry);
    // Compared before anything about the grant is said: only the token's holder learns its state.
    if (!tokenMatches(token, grant.tokenHash))
      return { type: 'refused', reason: 'unknown', grant: undefined };
    if (entry.type === 'broken') return { type: 'refused', reason: 'revoked', grant };
    const state = grantState(grant, entry.active.ancestors, now(), (id) => follower.isRevoked(id));
    return state === 'active'
      ? { type: 'active', active: entry.active }
      : { type: 'refused', reason: state, grant };
  }

  return {
    resolve(token) {
      const id = grantIdOf(token);
      if (id === undefined) return { type: 'refused', reason: 'unknown', grant: undefined };
      const entry = cached(id);
      if (entry !== undefined) return verdict(entry, token);
      return load(id).then((loaded) =>
        loaded === undefined ? { type: 'unavailable' } : verdict(loaded, token),
      );
    },
    async lookup(id) {
      const entry = await read(id);
      if (entry.type === 'unknown') return undefined;
      return entry.type === 'broken'
        ? { grant: entry.grant, ancestors: [] }
        : { grant: entry.active.grant, ancestors: entry.active.ancestors };
    },
    stored(grant, ancestors) {
      remember(grant.id, { type: 'known', active: activeOf(grant, ancestors) });
    },
    revoked: (ids, expiresAt) => follower.revokedHere(ids, expiresAt),
    start: () => follower.start(),
    stop: () => follower.stop(),
    refresh: () => follower.refresh(),
  };
}

function grantOf(entry: Exclude<Entry, { type: 'unknown' }>): Grant {
  return entry.type === 'known' ? entry.active.grant : entry.grant;
}

function activeOf(grant: Grant, ancestors: readonly Grant[]): ActiveGrant {
  return Object.freeze({ grant, ancestors, scopes: compileScopes(grant.scopes) });
}
