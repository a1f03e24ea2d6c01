import type { AgentAuthorizeAnswer } from '../agent-answer.js';
import type { AuthorizeRequest } from '../authorize-request.js';
import { canonicalHash } from '../canonical-json.js';
import type { ReviewDetails } from './review-queue.js';

/**
 * What a review item records of the request, of the answer that sent it to review, and of the
 * policies that let it through (the decision's policy ids).
 */
export function reviewDetailsOf(
  request: AuthorizeRequest,
  answer: AgentAuthorizeAnswer,
  policyIds: readonly string[],
): ReviewDetails {
  return {
    tenantId: request.tenantId,
    actor: request.actor,
    action: request.action,
    resource: request.resource,
    confidenceScore: answer.confidence_used,
    reason: answer.reason,
    actingFor: request.actingFor,
    traceId: answer.trace_id,
    riskScore: answer.risk_score,
    policyDigest: answer.policy_digest,
    inputHash: answer.input_hash,
    // The approved action is this one: a client can check the args it runs hash the same.
    argsHash: request.args === undefined ? undefined : canonicalHash(request.args),
    policyIds,
  };
}
