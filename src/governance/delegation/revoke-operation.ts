import { GatewayError } from '../../errors/index.js';
import { callerId, mayRevoke, type DelegationCaller } from './delegation-caller.js';
import type { DelegationServiceDependencies } from './delegation-dependencies.js';
import { isGrantId } from './grant-token.js';

/**
 * `DELETE /v1/tokens/{id}`: revokes the grant and every grant under it, in the store and on this
 * replica at once; the other replicas hear of it over the revocation channel (or their next poll)
 * and refuse the whole subtree from then on. Revoking twice answers the same. A grant the caller
 * may not revoke is answered as one that does not exist: its existence is not the caller's to learn.
 */
export interface RevokeAnswer {
  readonly success: true;
  readonly token_id: string;
  /** The grant and every grant under it, the grant first. */
  readonly revoked_token_ids: readonly string[];
}

export type RevokeOutcome =
  | { readonly type: 'revoked'; readonly answer: RevokeAnswer }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export async function revoke(
  dependencies: DelegationServiceDependencies,
  call: { readonly tokenId: string; readonly caller: DelegationCaller },
): Promise<RevokeOutcome> {
  const notFound = new GatewayError('not_found', `No token ${JSON.stringify(call.tokenId)}.`, {
    param: 'id',
  });
  if (!isGrantId(call.tokenId)) return { type: 'rejected', error: notFound };
  const found = await dependencies.registry.lookup(call.tokenId);
  if (found === undefined || !mayRevoke(call.caller, found.grant, found.ancestors))
    return { type: 'rejected', error: notFound };
  const now = dependencies.now();
  const ids = await dependencies.store.revokeTree(found.grant.id, now);
  dependencies.registry.revoked(ids, found.grant.expiresAt);
  dependencies.observer.swarmOperation('cancelled');
  dependencies.events.emit({
    type: 'token.revoked',
    tenantId: found.grant.tenantId,
    timestamp: new Date(now).toISOString(),
    grantId: found.grant.id,
    revokedGrantIds: ids,
    callerId: callerId(call.caller),
  });
  return { type: 'revoked', answer: { success: true, token_id: found.grant.id, revoked_token_ids: ids } };
}
