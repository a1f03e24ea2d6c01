import type { Lifetime } from './delegation-rules.js';
import type { Grant } from './grant.js';
import type { ActiveGrant, GrantRegistry } from './grant-registry.js';
import type { GrantStore } from './grant-store.js';
import { newGrantToken, type RandomBytes } from './grant-token.js';

/** A grant about to be made: everything but its id, token and place in the tree. */
export interface GrantTerms {
  readonly tenantId: string;
  readonly delegator: string | undefined;
  readonly delegatee: string;
  readonly scopes: readonly string[];
  readonly actingFor: string | undefined;
  readonly parent: ActiveGrant | undefined;
  readonly issuerKeyId: string;
  readonly boundKey: Grant['boundKey'];
  readonly lifetime: Lifetime;
  readonly traceparent: string | undefined;
  readonly now: number;
}

export type IssueResult =
  | { readonly type: 'issued'; readonly grant: Grant; readonly token: string; readonly swarmAgents: number }
  | { readonly type: 'swarm_full'; readonly rootId: string; readonly swarmAgents: number };

export interface IssuerDependencies {
  readonly store: GrantStore;
  readonly registry: Pick<GrantRegistry, 'stored'>;
  readonly maxSwarmSize: number;
  readonly randomBytes?: RandomBytes | undefined;
}

/** Stores a new grant (its swarm counted atomically) and caches it on this replica. */
export async function issueGrant(dependencies: IssuerDependencies, terms: GrantTerms): Promise<IssueResult> {
  const material = newGrantToken(dependencies.randomBytes);
  const parent = terms.parent?.grant;
  const grant: Grant = Object.freeze({
    id: material.id,
    tenantId: terms.tenantId,
    delegator: terms.delegator,
    delegatee: terms.delegatee,
    scopes: terms.scopes,
    actingFor: terms.actingFor,
    parentId: parent?.id,
    rootId: parent?.rootId ?? material.id,
    lineage: parent === undefined ? [] : [...parent.lineage, parent.id],
    depth: (parent?.depth ?? 0) + 1,
    issuerKeyId: terms.issuerKeyId,
    boundKey: parent === undefined ? terms.boundKey : parent.boundKey,
    createdAt: terms.now,
    expiresAt: terms.lifetime.expiresAt,
    swarmExpiresAt: terms.lifetime.swarmExpiresAt,
    revokedAt: undefined,
    traceparent: terms.traceparent,
    tokenHash: material.hash,
  });
  // A root counts its delegator (when an agent delegated it) and its holder; a child its holder.
  const agents =
    parent === undefined && terms.delegator !== undefined
      ? [terms.delegator, terms.delegatee]
      : [terms.delegatee];
  const inserted = await dependencies.store.insert(grant, {
    agents: [...new Set(agents)],
    maxAgents: dependencies.maxSwarmSize,
  });
  if (inserted.type === 'swarm_full')
    return { type: 'swarm_full', rootId: grant.rootId, swarmAgents: inserted.swarmAgents };
  const ancestors = terms.parent === undefined ? [] : [...terms.parent.ancestors, terms.parent.grant];
  dependencies.registry.stored(grant, ancestors);
  return { type: 'issued', grant, token: material.token, swarmAgents: inserted.swarmAgents };
}
