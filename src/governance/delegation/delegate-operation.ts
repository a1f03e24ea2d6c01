import { GatewayError } from '../../errors/index.js';
import type { TraceSpan } from '../../telemetry/index.js';
import { agentFor, boundKeyOf, callerId } from './delegation-caller.js';
import {
  startSpanUnder,
  type DelegationCall,
  type DelegationOutcome,
  type DelegationServiceDependencies,
} from './delegation-dependencies.js';
import { askPolicy, policyRefusalReason } from './delegation-policy.js';
import { validateDelegateRequest, type DelegateRequest } from './delegation-request.js';
import {
  confidenceRefusal,
  depthRefusal,
  grantLifetime,
  validTraceparent,
  type Lifetime,
} from './delegation-rules.js';
import type { Grant } from './grant.js';
import { issueGrant } from './grant-issuer.js';
import type { ActiveGrant } from './grant-registry.js';
import { resolveParent } from './grant-refusals.js';
import { uncoveredScopes } from './scope-algebra.js';
import { createReport, type Asked, type DelegateAnswer, type Report } from './delegate-report.js';

export type { DelegateAnswer } from './delegate-report.js';

/**
 * `POST /v1/agent/delegate`: a delegator passes a subset of what it holds to a delegatee. Checked
 * in order: the body (400), who may ask (403 error), the parent grant, its tenant, holder and
 * acting_for, scope attenuation, chain depth, the confidence floor, the policy for each scope,
 * and the swarm's size (atomically, in the store). Each refusal is Lelu's 403 answer
 * `{allowed: false, reason, trace_id}` and an event; nothing is ever trimmed silently.
 */

type Checked =
  | { readonly type: 'refused'; readonly reason: string; readonly scope?: string }
  | { readonly type: 'rejected'; readonly error: GatewayError }
  | {
      readonly type: 'terms';
      readonly tenantId: string;
      readonly actingFor: string | undefined;
      readonly scopes: readonly string[];
      readonly lifetime: Lifetime;
    };

function parentRefusal(parent: Grant, tenantId: string, delegator: string, actingFor: string | undefined) {
  if (parent.tenantId !== tenantId)
    return `parent_token belongs to another tenant than ${JSON.stringify(tenantId)}`;
  if (parent.delegatee !== delegator)
    return `parent_token was granted to ${JSON.stringify(parent.delegatee)}; only that agent may delegate from it`;
  if (parent.actingFor !== undefined && actingFor !== parent.actingFor)
    return `parent_token acts for ${JSON.stringify(parent.actingFor)}, and its delegations may act for no one else`;
  return undefined;
}

function checkTerms(
  dependencies: DelegationServiceDependencies,
  request: DelegateRequest,
  delegator: string,
  parent: ActiveGrant | undefined,
): Checked {
  const { settings } = dependencies;
  const tenantId = request.tenantId ?? parent?.grant.tenantId ?? 'default';
  const actingFor = request.actingFor ?? parent?.grant.actingFor;
  const inherited =
    parent === undefined ? undefined : parentRefusal(parent.grant, tenantId, delegator, actingFor);
  if (inherited !== undefined) return { type: 'refused', reason: inherited };
  const scopes =
    request.scopedTo !== undefined && request.scopedTo.length > 0 ? request.scopedTo : parent?.grant.scopes;
  if (scopes === undefined) {
    const message = 'scoped_to is required (one scope or more) for a delegation without a parent_token';
    return { type: 'rejected', error: new GatewayError('invalid_request', message, { param: 'scoped_to' }) };
  }
  const [widened] = parent === undefined ? [] : uncoveredScopes(parent.grant.scopes, scopes);
  if (widened !== undefined) {
    const held = parent?.grant.scopes.join(', ') ?? '';
    const reason = `scope ${JSON.stringify(widened)} is not covered by the parent grant's scopes (${held}); a delegation cannot widen them`;
    return { type: 'refused', reason, scope: widened };
  }
  const refusal =
    depthRefusal(parent?.grant, settings.maxDepth) ??
    confidenceRefusal(request.confidence, settings.confidenceFloor);
  if (refusal !== undefined) return { type: 'refused', reason: refusal };
  const lifetime = grantLifetime({
    now: dependencies.now(),
    ttlSeconds: request.ttlSeconds,
    parent: parent?.grant,
    swarmTimeoutMs: settings.swarmTimeoutMs,
  });
  return { type: 'terms', tenantId, actingFor, scopes, lifetime };
}

function swarmReason(agents: number, max: number, rootId?: string): string {
  const swarm = rootId === undefined ? 'the new swarm' : `the swarm under ${rootId}`;
  return `${swarm} would hold ${agents} distinct agents, more than max_swarm_size (${max})`;
}

export async function delegate(
  dependencies: DelegationServiceDependencies,
  call: DelegationCall,
): Promise<DelegationOutcome<DelegateAnswer>> {
  const validation = validateDelegateRequest(call.body);
  if (!validation.ok) return { type: 'rejected', error: validation.error };
  const { request } = validation;
  const delegator = agentFor(call.caller, request.delegator, 'delegator', 'delegate');
  if (delegator instanceof GatewayError) return { type: 'rejected', error: delegator };
  const resolved = await resolveParent(call.caller, request.parentToken, dependencies.registry);
  if (resolved.type === 'rejected') return resolved;
  const parent = resolved.type === 'parent' ? resolved.active : undefined;
  const span = startSpanUnder(dependencies.tracing, call.headers, parent?.grant.traceparent, {
    operation: 'gatehouse.agent.delegate',
    requestModel: undefined,
    attributes: {
      'gatehouse.delegation.delegator': delegator,
      'gatehouse.delegation.delegatee': request.delegatee,
      'gatehouse.delegation.parent_token_id': parent?.grant.id,
    },
  });
  const report = createReport(dependencies, call, span, { request, delegator, parent });
  if (resolved.type === 'refused') return report.refused(resolved.reason, undefined, resolved.outcome);
  try {
    return await decideAndIssue(dependencies, call, report, { request, delegator, parent, span });
  } catch (error) {
    // The store failed: the request fails (500, logged by the app), its span ends with it.
    report.failed();
    throw error;
  }
}

interface Context extends Asked {
  readonly span: TraceSpan;
}

/** Everything after the parent is known: the terms, the policy, the swarm, the grant. */
async function decideAndIssue(
  dependencies: DelegationServiceDependencies,
  call: DelegationCall,
  report: Report,
  context: Context,
): Promise<DelegationOutcome<DelegateAnswer>> {
  const { request, delegator, parent, span } = context;
  const checked = checkTerms(dependencies, request, delegator, parent);
  if (checked.type === 'rejected') return report.rejected(checked.error);
  if (checked.type === 'refused') return report.refused(checked.reason, checked.scope);
  const asked = askPolicy(dependencies.policy(), {
    tenantId: checked.tenantId,
    delegator,
    delegatee: request.delegatee,
    scopes: checked.scopes,
    ttlSeconds: checked.lifetime.ttlSeconds,
    depth: (parent?.grant.depth ?? 0) + 1,
    confidence: request.confidence,
    actingFor: checked.actingFor,
    now: dependencies.now(),
  });
  if (asked.type === 'refused')
    return report.refused(policyRefusalReason(asked.scope, asked.verdict), asked.scope);
  const agents = new Set([delegator, request.delegatee]).size;
  if (parent === undefined && agents > dependencies.settings.maxSwarmSize)
    return report.refused(swarmReason(agents, dependencies.settings.maxSwarmSize));
  const issued = await issueGrant(
    { ...dependencies, maxSwarmSize: dependencies.settings.maxSwarmSize },
    {
      tenantId: checked.tenantId,
      actingFor: checked.actingFor,
      scopes: checked.scopes,
      lifetime: checked.lifetime,
      delegator,
      delegatee: request.delegatee,
      parent,
      issuerKeyId: callerId(call.caller),
      boundKey: boundKeyOf(call.caller),
      traceparent: traceparentOf(dependencies, span, call, parent),
      now: dependencies.now(),
    },
  );
  if (issued.type === 'swarm_full')
    return report.refused(
      swarmReason(issued.swarmAgents + 1, dependencies.settings.maxSwarmSize, issued.rootId),
    );
  return report.granted(issued.grant, issued.token, issued.swarmAgents);
}

/** The span's own context (the grant's trace continues through it), else the caller's, else the parent's. */
export function traceparentOf(
  dependencies: Pick<DelegationServiceDependencies, 'tracing'>,
  span: TraceSpan,
  call: DelegationCall,
  parent: ActiveGrant | undefined,
): string | undefined {
  return (
    validTraceparent(dependencies.tracing.injectHeaders(span).traceparent) ??
    validTraceparent(call.headers.traceparent) ??
    parent?.grant.traceparent
  );
}
