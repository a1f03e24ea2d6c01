import type { GatewayError } from '../../errors/index.js';
import type { TraceSpan } from '../../telemetry/index.js';
import { callerId } from './delegation-caller.js';
import type {
  DelegationCall,
  DelegationOutcome,
  DelegationServiceDependencies,
} from './delegation-dependencies.js';
import type { DelegationEvent, SwarmOutcome } from './delegation-events.js';
import type { DelegateRequest } from './delegation-request.js';
import { unixSeconds, type Grant } from './grant.js';
import type { ActiveGrant } from './grant-registry.js';

/** The answer of `POST /v1/agent/delegate`: Lelu's fields, then ours. */
export interface DelegateAnswer {
  readonly token: string;
  readonly token_id: string;
  /** Unix seconds. */
  readonly expires_at: number;
  readonly delegator: string;
  readonly delegatee: string;
  readonly granted_scopes: readonly string[];
  readonly trace_id: string;
  readonly tenant_id: string;
  readonly parent_token_id: string | null;
  readonly root_token_id: string;
  readonly depth: number;
  readonly acting_for?: string;
}

export interface Asked {
  readonly request: DelegateRequest;
  readonly delegator: string;
  readonly parent: ActiveGrant | undefined;
}

export type Report = ReturnType<typeof createReport>;

/** Ends the span, counts the outcome and emits the event of every way a delegation ends. */
export function createReport(
  dependencies: DelegationServiceDependencies,
  call: DelegationCall,
  span: TraceSpan,
  asked: Asked,
) {
  const traceId = dependencies.newTraceId();
  const base: EventBase = {
    type: 'delegation',
    traceId,
    delegator: asked.delegator,
    delegatee: asked.request.delegatee,
    actingFor: asked.request.actingFor ?? asked.parent?.grant.actingFor,
    parentGrantId: asked.parent?.grant.id,
    rootGrantId: asked.parent?.grant.rootId,
    callerId: callerId(call.caller),
  };
  const finish = (outcome: string, attributes: Record<string, string | number | undefined> = {}) => {
    span.setAttributes({
      'gatehouse.delegation.outcome': outcome,
      'gatehouse.delegation.trace_id': traceId,
      ...attributes,
    });
    span.end();
  };
  return {
    failed(): void {
      span.fail('store_error');
      span.end();
    },
    rejected(error: GatewayError): DelegationOutcome<DelegateAnswer> {
      finish('rejected');
      return { type: 'rejected', error };
    },
    refused(
      reason: string,
      scope?: string,
      outcome: SwarmOutcome = 'refused',
    ): DelegationOutcome<DelegateAnswer> {
      finish('refused', { 'gatehouse.delegation.refused_scope': scope });
      dependencies.observer.swarmOperation(outcome);
      dependencies.events.emit(refusedEvent(base, asked, reason, dependencies.now()));
      return {
        type: 'refused',
        answer: {
          allowed: false,
          reason,
          trace_id: traceId,
          ...(scope === undefined ? {} : { refused_scope: scope }),
        },
      };
    },
    granted(grant: Grant, token: string, swarmAgents: number): DelegationOutcome<DelegateAnswer> {
      finish('granted', {
        'gatehouse.delegation.token_id': grant.id,
        'gatehouse.delegation.root_token_id': grant.rootId,
        'gatehouse.delegation.depth': grant.depth,
      });
      dependencies.observer.swarmOperation('granted');
      dependencies.observer.swarmJoined(swarmAgents);
      dependencies.events.emit(grantedEvent(base, grant));
      return { type: 'granted', answer: delegateAnswer(grant, token, traceId) };
    },
  };
}

type EventBase = Pick<
  Extract<DelegationEvent, { type: 'delegation' }>,
  'type' | 'traceId' | 'delegator' | 'delegatee' | 'actingFor' | 'parentGrantId' | 'rootGrantId' | 'callerId'
>;

function refusedEvent(base: EventBase, asked: Asked, reason: string, now: number): DelegationEvent {
  return {
    ...base,
    outcome: 'refused',
    tenantId: asked.request.tenantId ?? asked.parent?.grant.tenantId ?? 'default',
    timestamp: new Date(now).toISOString(),
    scopes: asked.request.scopedTo ?? [],
    reason,
    grantId: undefined,
    depth: undefined,
    expiresAt: undefined,
  };
}

function grantedEvent(base: EventBase, grant: Grant): DelegationEvent {
  return {
    ...base,
    outcome: 'granted',
    tenantId: grant.tenantId,
    timestamp: new Date(grant.createdAt).toISOString(),
    scopes: grant.scopes,
    reason: undefined,
    grantId: grant.id,
    rootGrantId: grant.rootId,
    depth: grant.depth,
    expiresAt: new Date(grant.expiresAt).toISOString(),
    actingFor: grant.actingFor,
  };
}

function delegateAnswer(grant: Grant, token: string, traceId: string): DelegateAnswer {
  return {
    token,
    token_id: grant.id,
    expires_at: unixSeconds(grant.expiresAt),
    delegator: grant.delegator ?? '',
    delegatee: grant.delegatee,
    granted_scopes: grant.scopes,
    trace_id: traceId,
    tenant_id: grant.tenantId,
    parent_token_id: grant.parentId ?? null,
    root_token_id: grant.rootId,
    depth: grant.depth,
    ...(grant.actingFor === undefined ? {} : { acting_for: grant.actingFor }),
  };
}
