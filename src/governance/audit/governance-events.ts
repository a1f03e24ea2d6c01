import type { DecisionEvent } from '../events.js';
import type { PolicyChangeEvent } from '../policies/index.js';
import type { DelegationEvent } from '../delegation/index.js';
import type { ReviewItem } from '../review/index.js';
import type { AuditEvent } from './audit-event.js';

/**
 * Governance's own events as audit events. A decision is Lelu's audit record field by field; what
 * Lelu leaves out (who asked, the policy version, shadow outcomes, the deciding part, the risk)
 * goes to `details`.
 */
export function decisionAuditEvent(event: DecisionEvent): AuditEvent {
  return {
    type: 'decision',
    timestamp: event.timestamp,
    tenantId: event.tenantId,
    traceId: event.traceId,
    actor: event.actor,
    action: event.action,
    resource: event.resource,
    confidenceScore: event.confidenceScore,
    decision: event.decision,
    reason: event.reason,
    downgradedScope: event.downgradedScope,
    latencyMs: event.latencyMs,
    inputHash: event.inputHash,
    outputHash: event.outputHash,
    policyDigest: event.policyDigest,
    details: {
      subject: event.subject,
      policy_version: event.policyVersion,
      shadow_mode: event.shadowMode,
      reason_class: event.reasonClass,
      risk_score: event.riskScore,
      acting_for: event.actingFor,
      shadow_policies: event.shadowPolicies,
      grant_id: event.grantId,
      confidence_calibrated: event.confidenceCalibrated,
    },
  };
}

/** A new policy version: who stored it (the key id), which version and digest, why (the comment). */
export function policyChangeAuditEvent(event: PolicyChangeEvent): AuditEvent {
  return {
    type: 'policy.changed',
    timestamp: new Date(event.time).toISOString(),
    actor: event.authorKeyId,
    action: `policy.${event.change}`,
    resource: { policy_version: String(event.version) },
    policyDigest: event.digest,
    reason: event.comment,
    details: {
      change: event.change,
      version: event.version,
      previous_version: event.previousVersion,
      previous_digest: event.previousDigest,
      restored_from: event.restoredFrom,
    },
  };
}

/**
 * A review queued or resolved. The actor is the agent whose action waits (created) or the reviewer
 * as they named themselves (resolved); the decision is the item's status.
 */
export function reviewAuditEvent(item: ReviewItem, type: 'review.created' | 'review.resolved'): AuditEvent {
  const created = type === 'review.created';
  return {
    type,
    timestamp: new Date(created ? item.enqueuedAt : (item.resolvedAt ?? item.enqueuedAt)).toISOString(),
    tenantId: item.tenantId,
    traceId: item.traceId,
    actor: created ? item.actor : item.resolvedBy,
    action: item.action,
    resource: item.resource,
    confidenceScore: item.confidenceScore,
    decision: item.status,
    reason: created ? item.reason : item.resolutionNote,
    inputHash: item.inputHash,
    policyDigest: item.policyDigest,
    details: {
      review_id: item.id,
      agent: item.actor,
      acting_for: item.actingFor,
      args_hash: item.argsHash,
      expires_at: new Date(item.expiresAt).toISOString(),
      resolver_key_id: item.resolverKeyId,
    },
  };
}

/**
 * A delegation made or refused, a token minted or revoked. The actor is the delegator (a grant's
 * agent for a mint, the caller's key or grant id for a revocation); grant ids, never tokens.
 */
export function delegationAuditEvent(event: DelegationEvent): AuditEvent {
  switch (event.type) {
    case 'delegation':
      return {
        type: event.outcome === 'granted' ? 'delegation.granted' : 'delegation.refused',
        timestamp: event.timestamp,
        tenantId: event.tenantId,
        traceId: event.traceId,
        actor: event.delegator,
        action: 'delegate',
        resource: event.delegatee === undefined ? undefined : { delegatee: event.delegatee },
        decision: event.outcome,
        reason: event.reason,
        details: {
          scopes: event.scopes,
          grant_id: event.grantId,
          parent_grant_id: event.parentGrantId,
          root_grant_id: event.rootGrantId,
          depth: event.depth,
          expires_at: event.expiresAt,
          acting_for: event.actingFor,
          caller: event.callerId,
        },
      };
    case 'token.minted':
      return {
        type: 'token.minted',
        timestamp: event.timestamp,
        tenantId: event.tenantId,
        traceId: event.traceId,
        actor: event.actor,
        action: 'token.mint',
        details: {
          grant_id: event.grantId,
          scopes: event.scopes,
          expires_at: event.expiresAt,
          acting_for: event.actingFor,
          caller: event.callerId,
          bound_key_id: event.boundKeyId,
        },
      };
    case 'token.revoked':
      return {
        type: 'token.revoked',
        timestamp: event.timestamp,
        tenantId: event.tenantId,
        actor: event.callerId,
        action: 'token.revoke',
        details: { grant_id: event.grantId, revoked_grant_ids: event.revokedGrantIds },
      };
    default: {
      const unknown: never = event;
      throw new Error(`unknown delegation event ${JSON.stringify(unknown)}`);
    }
  }
}
