import { GatewayError } from '../../errors/index.js';
import type { Grant } from './grant.js';
import type { ActiveGrant } from './grant-registry.js';

/**
 * Who asks to mint, delegate or revoke, and what each may do (docs/governance.md, "Delegation and
 * grants"): the master key and unbound admin keys may act for any agent; a key bound to an agent
 * (whatever its role) only as that agent; a grant presented as the credential only as its holder,
 * delegating from itself. Any other key is refused.
 */
export type DelegationCaller =
  | {
      readonly kind: 'key';
      /** `master` for the master key. */
      readonly keyId: string;
      readonly role: 'user' | 'admin' | 'reviewer';
      readonly agentId: string | undefined;
      /** SHA-256 of the key, hex: what a grant minted with it is bound to; undefined for the master key. */
      readonly keyHash: string | undefined;
    }
  | { readonly kind: 'grant'; readonly active: ActiveGrant };

export function callerId(caller: DelegationCaller): string {
  return caller.kind === 'key' ? caller.keyId : caller.active.grant.id;
}

/** The virtual key a new root grant spends on the model routes: the caller's own. */
export function boundKeyOf(caller: DelegationCaller): Grant['boundKey'] {
  if (caller.kind === 'grant') return caller.active.grant.boundKey;
  return caller.keyHash === undefined ? undefined : { id: caller.keyId, hash: caller.keyHash };
}

const unbound = (what: string) =>
  new GatewayError(
    'permission_denied',
    `This API key may not ${what}: it needs the admin role, or to be bound to an agent (agent_id).`,
  );

/** The agent a caller acts as for `field`, or the refusal; undefined: any agent (admins). */
function actingAgent(caller: DelegationCaller, what: string): string | undefined | GatewayError {
  if (caller.kind === 'grant') return caller.active.grant.delegatee;
  if (caller.agentId !== undefined) return caller.agentId;
  return caller.role === 'admin' ? undefined : unbound(what);
}

/**
 * The agent named in `field` (or filled in from the caller), checked against whom the caller may
 * act as: the same exact string, as for authorize requests.
 */
export function agentFor(
  caller: DelegationCaller,
  named: string | undefined,
  field: 'delegator' | 'actor',
  what: string,
): string | GatewayError {
  const own = actingAgent(caller, what);
  if (own instanceof GatewayError) return own;
  const agent = named ?? own;
  if (agent === undefined)
    return new GatewayError('invalid_request', `${field} is required (a non-empty string)`, { param: field });
  if (own !== undefined && agent !== own) {
    const holder = caller.kind === 'grant' ? 'This grant is held by' : 'This key is bound to';
    return new GatewayError(
      'permission_denied',
      `${holder} agent ${JSON.stringify(own)} and may ${what} only as it, not as ${JSON.stringify(agent)}.`,
      { param: field },
    );
  }
  return agent;
}

/**
 * Whether the caller may revoke `grant` (its ancestors root first): an admin; the key it or an
 * ancestor was created with; an agent up its chain (the root's delegator, or the holder of it or
 * of an ancestor); a grant it descends from (or itself), presented as the credential.
 */
export function mayRevoke(caller: DelegationCaller, grant: Grant, ancestors: readonly Grant[]): boolean {
  const chain = [...ancestors, grant];
  if (caller.kind === 'grant') {
    const presented = caller.active.grant;
    return presented.tenantId === grant.tenantId && chain.some((link) => link.id === presented.id);
  }
  const { agentId } = caller;
  if (agentId === undefined) return caller.role === 'admin';
  if (chain.some((link) => link.issuerKeyId === caller.keyId)) return true;
  return chain[0]?.delegator === agentId || chain.some((link) => link.delegatee === agentId);
}
