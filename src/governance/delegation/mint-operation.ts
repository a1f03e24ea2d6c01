import { GatewayError } from '../../errors/index.js';
import { agentFor, boundKeyOf, callerId } from './delegation-caller.js';
import {
  startSpanUnder,
  type DelegationCall,
  type DelegationOutcome,
  type DelegationServiceDependencies,
} from './delegation-dependencies.js';
import { validateMintRequest } from './delegation-request.js';
import { grantLifetime } from './delegation-rules.js';
import { unixSeconds, type Grant } from './grant.js';
import { issueGrant } from './grant-issuer.js';
import { traceparentOf } from './delegate-operation.js';

/**
 * `POST /v1/tokens/mint`: a just-in-time token for an agent, `{tenant_id, scope, acting_for,
 * ttl_seconds}` → `{token, token_id, expires_at}` (Lelu's contract), plus `actor`, the agent that
 * will hold it (the caller's own agent when its key is bound to one). The token is the root of a
 * new swarm; its lifetime is capped by the swarm operation timeout. Minting is issuing, by a key
 * holder for its own agent (or an admin for any): the policy is asked when the token is passed on
 * (`delegate`), and a grant can never be more than the key that minted it could do anyway.
 */
export interface MintAnswer {
  readonly token: string;
  readonly token_id: string;
  /** Unix seconds. */
  readonly expires_at: number;
  readonly actor: string;
  readonly scopes: readonly string[];
  readonly tenant_id: string;
  readonly trace_id: string;
  readonly acting_for?: string;
}

export async function mint(
  dependencies: DelegationServiceDependencies,
  call: DelegationCall,
): Promise<DelegationOutcome<MintAnswer>> {
  const validation = validateMintRequest(call.body);
  if (!validation.ok) return { type: 'rejected', error: validation.error };
  const { request } = validation;
  if (call.caller.kind === 'grant') {
    const message = 'A grant cannot mint tokens; pass it on with POST /v1/agent/delegate instead.';
    return { type: 'rejected', error: new GatewayError('permission_denied', message) };
  }
  const actor = agentFor(call.caller, request.actor, 'actor', 'mint tokens');
  if (actor instanceof GatewayError) return { type: 'rejected', error: actor };
  const now = dependencies.now();
  const span = startSpanUnder(dependencies.tracing, call.headers, undefined, {
    operation: 'gatehouse.token.mint',
    requestModel: undefined,
    attributes: { 'gatehouse.delegation.delegatee': actor },
  });
  const { settings } = dependencies;
  const terms = {
    tenantId: request.tenantId,
    delegator: undefined,
    delegatee: actor,
    scopes: request.scopes,
    actingFor: request.actingFor,
    parent: undefined,
    issuerKeyId: callerId(call.caller),
    boundKey: boundKeyOf(call.caller),
    lifetime: grantLifetime({
      now,
      ttlSeconds: request.ttlSeconds,
      parent: undefined,
      swarmTimeoutMs: settings.swarmTimeoutMs,
    }),
    traceparent: traceparentOf(dependencies, span, call, undefined),
    now,
  };
  const issued = await issueGrant({ ...dependencies, maxSwarmSize: settings.maxSwarmSize }, terms).catch(
    (error: unknown) => {
      // The store failed: the request fails (500, logged by the app), its span ends with it.
      span.fail('store_error');
      span.end();
      throw error;
    },
  );
  const traceId = dependencies.newTraceId();
  span.setAttributes({ 'gatehouse.delegation.trace_id': traceId });
  // One agent in a new swarm: never over the limit, which is at least 1.
  if (issued.type === 'swarm_full') throw new Error('a minted token found its new swarm full');
  span.setAttributes({
    'gatehouse.delegation.outcome': 'granted',
    'gatehouse.delegation.token_id': issued.grant.id,
  });
  span.end();
  dependencies.observer.swarmOperation('granted');
  dependencies.observer.swarmJoined(issued.swarmAgents);
  dependencies.events.emit(mintedEvent(issued.grant, traceId));
  return { type: 'granted', answer: mintAnswer(issued.grant, issued.token, traceId) };
}

function mintedEvent(grant: Grant, traceId: string) {
  return {
    type: 'token.minted' as const,
    tenantId: grant.tenantId,
    traceId,
    timestamp: new Date(grant.createdAt).toISOString(),
    grantId: grant.id,
    actor: grant.delegatee,
    scopes: grant.scopes,
    expiresAt: new Date(grant.expiresAt).toISOString(),
    actingFor: grant.actingFor,
    callerId: grant.issuerKeyId,
    boundKeyId: grant.boundKey?.id,
  };
}

function mintAnswer(grant: Grant, token: string, traceId: string): MintAnswer {
  return {
    token,
    token_id: grant.id,
    expires_at: unixSeconds(grant.expiresAt),
    actor: grant.delegatee,
    scopes: grant.scopes,
    tenant_id: grant.tenantId,
    trace_id: traceId,
    ...(grant.actingFor === undefined ? {} : { acting_for: grant.actingFor }),
  };
}
