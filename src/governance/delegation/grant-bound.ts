import { GatewayError } from '../../errors/index.js';
import type { AuthorizeRequest } from '../authorize-request.js';
import type { Decision } from '../decisions/decide.js';
import type { DecisionPart } from '../decisions/merge.js';
import type { ActiveGrant } from './grant-registry.js';

/**
 * A grant presented to `POST /v1/agent/authorize` bounds what can be allowed, whatever the policy
 * says: the request is about the grant's holder (the route binds `actor` to it), in the grant's
 * tenant, acting for whom the grant acts for; and its action, and its `scope` when it names one,
 * must each be covered by the grant's scopes (scope-algebra.ts), or the decision is a deny that
 * says so. The bound holds in shadow mode too: a grant is a credential's limit, not a policy being
 * tried out.
 */

/** The request as the grant allows it to be asked, or why it may not be asked at all (403). */
export function requestUnderGrant(
  request: AuthorizeRequest,
  active: ActiveGrant,
): AuthorizeRequest | GatewayError {
  const { grant } = active;
  if (request.tenantId !== grant.tenantId) {
    const message = `This grant belongs to tenant ${JSON.stringify(grant.tenantId)}; it cannot be used for tenant ${JSON.stringify(request.tenantId)}.`;
    return new GatewayError('permission_denied', message, { param: 'tenant_id' });
  }
  if (grant.actingFor === undefined || request.actingFor === grant.actingFor) return request;
  if (request.actingFor !== undefined) {
    const message = `This grant acts for ${JSON.stringify(grant.actingFor)}, not for ${JSON.stringify(request.actingFor)}.`;
    return new GatewayError('permission_denied', message, { param: 'acting_for' });
  }
  return Object.freeze({ ...request, actingFor: grant.actingFor });
}

/** The first of the request's names the grant does not cover, and which field it is. */
function uncovered(
  request: AuthorizeRequest,
  active: ActiveGrant,
): { field: string; name: string } | undefined {
  if (active.scopes.coveringScope(request.action) === undefined)
    return { field: 'action', name: request.action };
  if (request.scope !== undefined && active.scopes.coveringScope(request.scope) === undefined)
    return { field: 'scope', name: request.scope };
  return undefined;
}

/** The decision, or a deny by the grant when the request is outside its scopes. */
export function boundByGrant(
  decision: Decision,
  request: AuthorizeRequest,
  active: ActiveGrant | undefined,
): Decision {
  if (active === undefined) return decision;
  const outside = uncovered(request, active);
  if (outside === undefined) return decision;
  const reason = `grant ${active.grant.id} does not cover ${outside.field} ${JSON.stringify(outside.name)} (its scopes: ${active.grant.scopes.join(', ')})`;
  const part: DecisionPart = { source: 'grant', kind: 'deny', reason };
  return {
    ...decision,
    kind: 'deny',
    allowed: false,
    reason,
    requiresHumanReview: false,
    downgradedScope: undefined,
    effectiveScope: undefined,
    decidedBy: 'grant',
    parts: [part, ...decision.parts],
    shadow: undefined,
  };
}
