import type { AuthorizeRequest } from './authorize-request.js';
import type { DecisionKind } from './contract.js';
import { enforcedOutcome, inShadowMode, type Decision } from './decisions/decide.js';
import type { DecisionSource } from './decisions/merge.js';

/**
 * Every decision is an event for the audit trail (the audit module stores, chains and exports
 * them; the route emits them). Lelu's audit record, field by field, in camelCase (`tenant_id` →
 * `tenantId`), plus what Lelu leaves out: the shadow outcome, the deciding part and the risk.
 */
export interface DecisionEvent {
  /** Who asked about whom: an agent's action (`/v1/agent/authorize`) or a person's (`/v1/authorize`). */
  readonly subject: 'agent' | 'user';
  readonly tenantId: string;
  readonly traceId: string;
  /** ISO 8601, UTC. */
  readonly timestamp: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: Readonly<Record<string, string>>;
  /** The confidence used; undefined when missing (Lelu records 0). */
  readonly confidenceScore: number | undefined;
  /** What was concluded: in shadow mode the outcome enforcement would have had, not the allow sent. */
  readonly decision: DecisionKind;
  readonly reason: string;
  readonly downgradedScope: 'read_only' | undefined;
  readonly latencyMs: number;
  /** SHA-256 of the request, hex. */
  readonly inputHash: string;
  /** SHA-256 of `{trace_id, decision, reason}`, hex. */
  readonly outputHash: string;
  readonly policyDigest: string;
  readonly policyVersion: number;
  readonly shadowMode: boolean;
  readonly reasonClass: DecisionSource;
  readonly riskScore: number;
  readonly actingFor: string | undefined;
  /** What the shadow policies (`@mode("shadow")`) would have concluded, when they differ. */
  readonly shadowPolicies?: { readonly decision: DecisionKind; readonly reason: string };
  /** The grant the agent presented as its credential, when it presented one. */
  readonly grantId?: string;
  /** What the gates compared when the confidence calibrator mapped the measured confidence. */
  readonly confidenceCalibrated?: number;
}

/** Where decision events go; never blocks and never fails the decision (the audit writer buffers). */
export interface DecisionEvents {
  emit(event: DecisionEvent): void;
}

/** What the route knows and the decision does not. */
export interface DecisionEventContext {
  readonly traceId: string;
  readonly timestamp: string;
  readonly latencyMs: number;
  readonly inputHash: string;
  readonly outputHash: string;
}

export function decisionEventFrom(
  request: AuthorizeRequest,
  decision: Decision,
  context: DecisionEventContext,
): DecisionEvent {
  const concluded = enforcedOutcome(decision);
  return {
    subject: 'agent',
    tenantId: request.tenantId,
    actor: request.actor,
    action: request.action,
    resource: request.resource,
    actingFor: request.actingFor,
    ...context,
    confidenceScore: decision.confidence.kind === 'measured' ? decision.confidence.value : undefined,
    decision: concluded.kind,
    reason: concluded.reason,
    downgradedScope: concluded.downgradedScope,
    policyDigest: decision.policy.digest,
    policyVersion: decision.policy.version,
    shadowMode: inShadowMode(decision),
    ...(decision.shadow?.level === 'policy'
      ? {
          shadowPolicies: {
            decision: decision.shadow.wouldHave.kind,
            reason: decision.shadow.wouldHave.reason,
          },
        }
      : {}),
    reasonClass: decision.decidedBy,
    riskScore: decision.risk.score,
    ...(decision.confidenceCalibrated === undefined
      ? {}
      : { confidenceCalibrated: decision.confidenceCalibrated }),
  };
}

/** Drops every event: for tools and tests that decide without an audit trail. */
export const discardDecisionEvents: DecisionEvents = Object.freeze({ emit: () => undefined });
