import type { Config } from '../config/index.js';
import type { AuditEvent, AuditTrail } from '../governance/audit/index.js';
import { looksLikeGrantToken, type ActiveGrant } from '../governance/delegation/index.js';
import type { Authorizer } from '../governance/index.js';
import type { ReviewQueue } from '../governance/review/index.js';
import { presentedKey } from '../keys/index.js';
import { createToolFirewallStage } from '../pipeline/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import {
  createToolFirewall,
  firewallSettingsFrom,
  type AuthorizeToolCall,
  type AwaitReview,
  type FirewallObserver,
  type ToolCallVerdictEvent,
} from '../tools/firewall/index.js';
import type { Contribution } from './assembly.js';
import type { GovernanceParts } from './governance-assembler.js';

export interface FirewallNeeds {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly audit: AuditTrail;
  readonly authorizer: Authorizer;
  readonly resolveGrant: GovernanceParts['resolveGrant'];
  readonly queue: ReviewQueue;
}

/** The tenant of a request that names none, as on `POST /v1/agent/authorize` (Lelu's default). */
const defaultTenant = 'default';

/**
 * The grant the caller presented as its credential, if it did: a model request made with a grant
 * (`governance.delegation.llm_routes`) is bounded by it, as its decisions on the agent routes are.
 * Undefined for a key; a grant that stopped being in force is `null` (nothing may be decided).
 */
async function presentedGrant(
  resolveGrant: FirewallNeeds['resolveGrant'],
  headers: Readonly<Record<string, string | string[] | undefined>>,
): Promise<ActiveGrant | null | undefined> {
  const secret = presentedKey(headers);
  if (secret === undefined || !looksLikeGrantToken(secret)) return undefined;
  const resolution = await resolveGrant(secret);
  return resolution.type === 'active' ? resolution.active : null;
}

/**
 * The firewall's question as a `POST /v1/agent/authorize` body, asked of the same authorizer: the
 * agent as actor, the tool as action, the arguments as `args`, the configured confidence as a
 * `local` signal (the operator's, not the model's: it counts whatever `allow_unverified` says).
 */
function toolCallAuthorizer(needs: FirewallNeeds): AuthorizeToolCall {
  return async (question) => {
    const grant = await presentedGrant(needs.resolveGrant, question.headers);
    if (grant === null) return { type: 'refused', reason: 'the grant presented is no longer in force' };
    const body = {
      actor: question.actor,
      action: question.action,
      resource: question.resource,
      ...(question.confidence === undefined
        ? {}
        : { confidence_signal: { provider: 'local', token_probabilities: [question.confidence] } }),
      ...(question.args === undefined ? {} : { args: question.args }),
    };
    const outcome = await needs.authorizer.authorizeAgent({
      body,
      headers: question.headers,
      boundAgent: question.actor,
      grant,
    });
    if (outcome.type === 'rejected') return { type: 'refused', reason: outcome.error.message };
    const { answer } = outcome;
    const tenantId = grant?.grant.tenantId ?? defaultTenant;
    const decided = { tenantId, traceId: answer.trace_id, reason: answer.reason };
    if (answer.requires_human_review)
      return answer.review_id === undefined
        ? { type: 'refused', reason: 'the decision asks for human review, but no review was queued' }
        : { type: 'review', ...decided, reviewId: answer.review_id };
    return { type: answer.allowed ? 'allow' : 'deny', ...decided };
  };
}

/** The review queue's wait (woken by the resolution on any replica), as the firewall needs it. */
function reviewWaiter(queue: ReviewQueue, logger: Logger): AwaitReview {
  return async (reviewId, timeoutMs, signal) => {
    try {
      const item = await queue.find(reviewId);
      if (item === undefined) return { type: 'pending' };
      const outcome = await queue.wait(item, timeoutMs, signal);
      if (outcome.type === 'pending') return { type: 'pending' };
      const { status, resolvedBy, resolutionNote } = outcome.item;
      return status === 'approved'
        ? { type: 'approved', resolvedBy }
        : { type: 'denied', resolvedBy, note: resolutionNote };
    } catch (error) {
      logger.warn({ err: error, reviewId }, 'waiting on a tool call review failed; the call is held');
      return { type: 'pending' };
    }
  };
}

/** A verdict as an audit record: the agent's action, what became of it, the decision it rests on. */
export function toolCallAuditEvent(event: ToolCallVerdictEvent): AuditEvent {
  const { verdict } = event;
  return {
    type: 'tool_call.judged',
    timestamp: event.timestamp,
    tenantId: verdict.tenantId,
    traceId: verdict.traceId,
    actor: event.agent,
    action: verdict.call.name,
    resource: { tool_call_id: verdict.call.id, request_id: event.requestId, model: event.model },
    decision: verdict.outcome,
    reason: verdict.reason,
    latencyMs: event.latencyMs,
    details: {
      tool_call_id: verdict.call.id,
      request_id: event.requestId,
      key_id: event.keyId,
      review_id: verdict.reviewId,
      args_hash: event.argsHash,
      dialect: event.dialect,
      stream: event.stream,
    },
  };
}

function recordedVerdicts(needs: FirewallNeeds): FirewallObserver {
  return {
    judged(event) {
      needs.audit.append(toolCallAuditEvent(event));
      needs.metrics.firewallToolCall(event.verdict.outcome);
      const { verdict } = event;
      needs.logger.info(
        {
          toolCall: {
            id: verdict.call.id,
            name: verdict.call.name,
            outcome: verdict.outcome,
            traceId: verdict.traceId,
            reviewId: verdict.reviewId,
            agent: event.agent,
            keyId: event.keyId,
          },
          requestId: event.requestId,
        },
        'tool call judged',
      );
    },
  };
}

/**
 * The tool-call firewall (docs/tool-firewall.md): the answer stage in the `toolFirewall` slot,
 * asking governance's authorizer and waiting on its review queue. Absent when disabled.
 */
export function assembleFirewall(needs: FirewallNeeds): Contribution<undefined> {
  const settings = firewallSettingsFrom(needs.config.firewall);
  if (!settings.enabled) return { parts: undefined };
  const firewall = createToolFirewall({
    settings,
    authorize: toolCallAuthorizer(needs),
    awaitReview: reviewWaiter(needs.queue, needs.logger),
    observer: recordedVerdicts(needs),
    now: Date.now,
  });
  return { parts: undefined, stages: { toolFirewall: createToolFirewallStage(firewall) } };
}
