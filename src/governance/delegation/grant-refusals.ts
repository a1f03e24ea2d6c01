import { GatewayError } from '../../errors/index.js';
import type { Grant, GrantRefusalReason } from './grant.js';
import type { GrantRegistry, GrantResolution, ActiveGrant } from './grant-registry.js';
import { grantIdOf, tokenMatches } from './grant-token.js';
import type { DelegationCaller } from './delegation-caller.js';
import type { SwarmOutcome } from './delegation-events.js';

/** How a dead or unknown grant is described, to its holder only (an unknown token learns nothing). */
export function refusalText(reason: GrantRefusalReason, grant: Grant | undefined): string {
  const iso = (milliseconds: number) => new Date(milliseconds).toISOString();
  switch (reason) {
    case 'unknown':
      return 'is not a valid grant token';
    case 'expired':
      return `expired at ${grant === undefined ? 'an earlier time' : iso(grant.expiresAt)}`;
    case 'timed_out':
      return `belongs to a swarm whose operation timeout ended at ${grant === undefined ? 'an earlier time' : iso(grant.swarmExpiresAt)}`;
    case 'revoked':
      return 'has been revoked (it, or a grant it descends from)';
  }
}

/** What a dead grant presented counts as in `gatehouse_swarm_operations_total`. */
export function refusalOutcome(reason: GrantRefusalReason): SwarmOutcome | undefined {
  return reason === 'unknown' ? undefined : reason;
}

/** A grant presented as the credential, refused: 401 with the key's error codes. */
export function credentialRefusal(resolution: Exclude<GrantResolution, { type: 'active' }>): GatewayError {
  if (resolution.type === 'unavailable') return unavailable();
  const text = `This grant token ${refusalText(resolution.reason, resolution.grant)}.`;
  switch (resolution.reason) {
    case 'unknown':
      return new GatewayError('invalid_api_key', 'Incorrect API key or grant token provided.');
    case 'revoked':
      return new GatewayError('revoked_api_key', text);
    case 'expired':
    case 'timed_out':
      return new GatewayError('expired_api_key', text);
  }
}

export function unavailable(): GatewayError {
  return new GatewayError('service_unavailable', 'Grants cannot be checked right now; try again shortly.', {
    headers: { 'retry-after': '1' },
  });
}

export type ParentResolution =
  | { readonly type: 'none' }
  | { readonly type: 'parent'; readonly active: ActiveGrant }
  | { readonly type: 'refused'; readonly reason: string; readonly outcome: SwarmOutcome | undefined }
  | { readonly type: 'rejected'; readonly error: GatewayError };

/**
 * The grant a delegation derives from: the one presented as the credential (a `parent_token`, if
 * also sent, must be that same grant), else the body's `parent_token`, else none (a root).
 */
export async function resolveParent(
  caller: DelegationCaller,
  parentToken: string | undefined,
  registry: Pick<GrantRegistry, 'resolve'>,
): Promise<ParentResolution> {
  if (caller.kind === 'grant') {
    const { grant } = caller.active;
    if (
      parentToken !== undefined &&
      (grantIdOf(parentToken) !== grant.id || !tokenMatches(parentToken, grant.tokenHash))
    )
      return {
        type: 'refused',
        reason:
          'parent_token is not the grant presented as the credential; leave it out to delegate from that grant',
        outcome: undefined,
      };
    return { type: 'parent', active: caller.active };
  }
  if (parentToken === undefined) return { type: 'none' };
  const resolution = await registry.resolve(parentToken);
  switch (resolution.type) {
    case 'active':
      return { type: 'parent', active: resolution.active };
    case 'unavailable':
      return { type: 'rejected', error: unavailable() };
    case 'refused':
      return {
        type: 'refused',
        reason: `parent_token ${refusalText(resolution.reason, resolution.grant)}`,
        outcome: refusalOutcome(resolution.reason),
      };
  }
}
