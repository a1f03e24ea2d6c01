import type { Grant } from './grant.js';

/** What delegation needs from a database (implemented in stores/sql, SQLite and Postgres). */

export type GrantInsertResult =
  /** `swarmAgents`: the distinct agents in the swarm, this grant's holder included. */
  | { readonly type: 'inserted'; readonly swarmAgents: number }
  /** The grant's holder would be one agent more than the swarm may have: nothing was stored. */
  | { readonly type: 'swarm_full'; readonly swarmAgents: number };

export interface RevokedGrant {
  readonly id: string;
  readonly revokedAt: number;
  readonly expiresAt: number;
}

export interface GrantStore {
  /**
   * Stores `grant` and counts its agents into its swarm, atomically across replicas: two grants
   * racing for the swarm's last place cannot both get it. `agents` are the grant's agents (a
   * root's delegator and delegatee; a child's delegatee).
   */
  insert(
    grant: Grant,
    swarm: { readonly agents: readonly string[]; readonly maxAgents: number },
  ): Promise<GrantInsertResult>;
  find(id: string): Promise<Grant | undefined>;
  /** The grants with these ids that exist, in no particular order. */
  findMany(ids: readonly string[]): Promise<readonly Grant[]>;
  /**
   * Marks the grant and every grant under it revoked (a revocation time, once set, stays) and
   * returns their ids, the grant's first; empty when there is no such grant.
   */
  revokeTree(id: string, now: number): Promise<readonly string[]>;
  /** Grants revoked after `since` (by `revokedAt`), for following revocations made elsewhere. */
  revokedSince(since: number): Promise<readonly RevokedGrant[]>;
}

/**
 * How replicas tell each other of revocations at once (Redis pub/sub). A message carries grant ids
 * only, never tokens, and is not trusted: a receiver reads those grants from the database and
 * applies the revocations it finds there, so a forged message costs one query and changes nothing.
 */
export interface GrantRevocationChannel {
  publish(ids: readonly string[]): void;
  subscribe(listener: (ids: readonly string[]) => void): void;
}
