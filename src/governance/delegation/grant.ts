/**
 * A grant: a scoped, time-limited right one agent holds, minted for it (`POST /v1/tokens/mint`) or
 * delegated to it by another agent (`POST /v1/agent/delegate`). Every grant descends from a root;
 * the grants under one root are a swarm. The token itself is never stored, only its SHA-256.
 */
export interface Grant {
  /** `grant_<16 hex>`: public, the `token_id` of the answers. */
  readonly id: string;
  readonly tenantId: string;
  /** The agent that granted it; undefined for a minted token (issued by a key, not by an agent). */
  readonly delegator: string | undefined;
  /** The agent that holds it. */
  readonly delegatee: string;
  /** Action names or patterns (scope-algebra.ts). */
  readonly scopes: readonly string[];
  readonly actingFor: string | undefined;
  readonly parentId: string | undefined;
  /** Its own id for a root. */
  readonly rootId: string;
  /** The ancestors' ids, root first; empty for a root. */
  readonly lineage: readonly string[];
  /** Grants in the chain, itself included: 1 for a root. */
  readonly depth: number;
  /** The key of the request that created it (`master` for the master key). */
  readonly issuerKeyId: string;
  /**
   * The virtual key whose limits and budget the grant spends on the model routes (the key the
   * root was minted under); undefined when the root was created with the master key.
   */
  readonly boundKey: { readonly id: string; readonly hash: string } | undefined;
  /** Unix milliseconds. */
  readonly createdAt: number;
  readonly expiresAt: number;
  /** The swarm's end: its root's creation plus the swarm operation timeout. */
  readonly swarmExpiresAt: number;
  readonly revokedAt: number | undefined;
  /** W3C `traceparent` of the request that created it: decisions under it join that trace. */
  readonly traceparent: string | undefined;
  /** SHA-256 of the token, hex. */
  readonly tokenHash: string;
}

/** Why a presented grant is not in force. */
export type GrantRefusalReason = 'unknown' | 'expired' | 'timed_out' | 'revoked';

/** A grant's state at `now`, given its ancestors (root first) and the ids known to be revoked. */
export function grantState(
  grant: Grant,
  ancestors: readonly Grant[],
  now: number,
  isRevoked: (id: string) => boolean,
): GrantRefusalReason | 'active' {
  const chain = [...ancestors, grant];
  if (chain.some((link) => link.revokedAt !== undefined || isRevoked(link.id))) return 'revoked';
  if (now >= grant.swarmExpiresAt) return 'timed_out';
  // Expiry is capped by the parent's at creation; the chain is checked as well, so a grant
  // stored by an older version or edited by hand still dies with its ancestors.
  if (chain.some((link) => now >= link.expiresAt)) return 'expired';
  return 'active';
}

/** The answer's `expires_at`: Unix seconds, as Lelu sends it. */
export function unixSeconds(milliseconds: number): number {
  return Math.floor(milliseconds / 1000);
}
