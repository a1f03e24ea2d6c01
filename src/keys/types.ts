/**
 * Virtual keys as the rest of the gateway sees them. The secret itself exists only in the answer
 * to `create`; what is stored is its SHA-256 hash and a short, non-secret prefix for display.
 */

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';

export interface KeyLimits {
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  readonly concurrentRequests?: number;
}

export interface KeyBudget {
  readonly usd: number;
  readonly period: BudgetPeriod;
}

/**
 * `admin`: the admin API, policies and the review queue; `reviewer`: the review queue only (read,
 * approve, deny); `user`: neither.
 */
export type KeyRole = 'user' | 'admin' | 'reviewer';

/** A key's stored attributes (never the secret). */
export interface StoredKey {
  /** Public identifier (`key_...`), used in logs, metrics, usage records and the admin API. */
  readonly id: string;
  readonly name: string;
  /** SHA-256 of the secret, hex. */
  readonly hash: string;
  /** The secret's first characters, for recognising a key in lists (`gh-AbCd…`). */
  readonly prefix: string;
  readonly tier: string;
  readonly role: KeyRole;
  readonly team: string | undefined;
  readonly owner: string | undefined;
  readonly agentId: string | undefined;
  /** Allowed model patterns (`*` matches any run of characters); empty allows every model. */
  readonly models: readonly string[];
  /** Per-key overrides of the tier's limits. */
  readonly limits: KeyLimits;
  readonly budget: KeyBudget | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  /** Unix milliseconds. */
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly expiresAt: number | undefined;
  readonly revokedAt: number | undefined;
}

/**
 * Fields to change. A property present with the value `undefined` clears an optional field (team,
 * owner, agent id, budget, expiry); an absent property is left alone.
 */
export type KeyPatch = Partial<
  Pick<
    StoredKey,
    | 'name'
    | 'tier'
    | 'role'
    | 'team'
    | 'owner'
    | 'agentId'
    | 'models'
    | 'limits'
    | 'budget'
    | 'metadata'
    | 'expiresAt'
  >
>;

export type InsertResult = { readonly type: 'inserted' } | { readonly type: 'duplicate_name' };

/** What the keys module needs from storage; `stores/sql` implements it on SQLite and Postgres. */
export interface KeyStore {
  insert(key: StoredKey): Promise<InsertResult>;
  findByHash(hash: string): Promise<StoredKey | undefined>;
  findById(id: string): Promise<StoredKey | undefined>;
  list(): Promise<readonly StoredKey[]>;
  /** Applies the patch and bumps `updatedAt`; undefined when no such key. */
  update(id: string, patch: KeyPatch, now: number): Promise<StoredKey | undefined | 'duplicate_name'>;
  revoke(id: string, now: number): Promise<StoredKey | undefined>;
  /** Keys changed after `since` (by `updatedAt`), for invalidating caches on every replica. */
  changedSince(since: number): Promise<readonly StoredKey[]>;
}
