import { GatewayError } from '../errors/index.js';
import type { AuthorizeOutcome, AuthorizerDependencies, AuthorizeCall } from './authorizer-dependencies.js';
import { validateAuthorizeRequest, type AuthorizeRequest } from './authorize-request.js';
import type { DecisionKind, PolicyVerdict } from './contract.js';
import { isRecord, ownField } from './field-problem.js';
import type { GovernanceSettings } from './governance-settings.js';
import { canonicalHash } from './canonical-json.js';
import { shadowReason } from './decisions/outcome.js';
import type { DecisionEvent } from './events.js';

/**
 * `POST /v1/authorize`, Lelu's human RBAC check: `{tenant_id, user_id, action, resource}` →
 * `{allowed, reason, trace_id}`. Lelu asks its policy engine; so do we, with the same Cedar policy
 * and the principal `User::"<user_id>"` (with parent `Tenant::"<tenant_id>"`), so a policy tells
 * people and agents apart. No confidence, gates or risk: a person is not guessing. Only a plain
 * allow allows; a `@decision("human_review")` or `("read_only")` permit is not an allow for a
 * yes/no question, and answers `allowed: false` with `decision` saying which it was. Global
 * shadow mode applies as Lelu applies it (allowed, `would_have_allowed`/`would_have_reason`).
 */
export interface UserAuthorizeAnswer {
  readonly allowed: boolean;
  readonly reason: string;
  readonly trace_id: string;
  readonly decision: DecisionKind;
  readonly policy_digest: string;
  readonly shadow_mode?: true;
  readonly would_have_allowed?: boolean;
  readonly would_have_reason?: string;
}

/** The body in the agent request's terms, so both are validated by one set of rules. */
function asAgentBody(body: unknown): unknown {
  if (!isRecord(body)) return body;
  return {
    tenant_id: ownField(body, 'tenant_id'),
    actor: ownField(body, 'user_id'),
    action: ownField(body, 'action'),
    resource: ownField(body, 'resource'),
  };
}

function validated(body: unknown): AuthorizeRequest | GatewayError {
  const validation = validateAuthorizeRequest(asAgentBody(body));
  if (validation.ok) return validation.request;
  const { error } = validation;
  if (error.param !== 'actor') return error;
  return new GatewayError('invalid_request', error.message.replace(/^actor/, 'user_id'), {
    param: 'user_id',
  });
}

function answerOf(verdict: PolicyVerdict, traceId: string, digest: string, shadow: boolean) {
  const allowed = verdict.decision === 'allow';
  const reason =
    verdict.decision === 'human_review' || verdict.decision === 'read_only'
      ? `${verdict.reason} (${verdict.decision}: not an allow for a person's request)`
      : verdict.reason;
  const base = { trace_id: traceId, decision: verdict.decision, policy_digest: digest };
  if (!shadow) return { allowed, reason, ...base };
  return {
    allowed: true,
    reason: shadowReason,
    ...base,
    shadow_mode: true as const,
    would_have_allowed: allowed,
    would_have_reason: reason,
  };
}

export async function authorizeUserWith(
  dependencies: AuthorizerDependencies,
  settings: GovernanceSettings,
  call: Omit<AuthorizeCall, 'boundAgent'>,
): Promise<AuthorizeOutcome<UserAuthorizeAnswer>> {
  const started = dependencies.elapsed();
  const request = validated(call.body);
  if (request instanceof GatewayError) return { type: 'rejected', error: request };
  const refusal = await dependencies.admitTenant(request.tenantId);
  if (refusal !== undefined) return { type: 'rejected', error: refusal };
  const policy = dependencies.policy();
  const verdict = policy.evaluate({
    tenantId: request.tenantId,
    actor: request.actor,
    principalType: 'User',
    action: request.action,
    resource: request.resource,
    context: {
      confidence: undefined,
      scope: undefined,
      actingFor: undefined,
      risk: 0,
      time: Math.floor(dependencies.now() / 1000),
      args: undefined,
    },
  });
  const shadow = settings.mode === 'shadow';
  const answer = answerOf(verdict, dependencies.newTraceId(), policy.digest, shadow);
  const latencyMs = dependencies.elapsed() - started;
  dependencies.observer.decidedForUser(verdict.decision);
  dependencies.events.emit(
    userDecisionEvent(request, call.body, answer, { verdict, policy, shadow, latencyMs }, dependencies),
  );
  return { type: 'answered', answer };
}

interface Concluded {
  readonly verdict: PolicyVerdict;
  readonly policy: { readonly digest: string; readonly version: number };
  readonly shadow: boolean;
  readonly latencyMs: number;
}

/** A person's decision is an event too: the audit trail holds every decision, whoever asked. */
function userDecisionEvent(
  request: AuthorizeRequest,
  body: unknown,
  answer: UserAuthorizeAnswer,
  concluded: Concluded,
  dependencies: Pick<AuthorizerDependencies, 'now'>,
): DecisionEvent {
  // What the policy concluded (in shadow mode, what enforcement would have answered).
  const reason = answer.would_have_reason ?? answer.reason;
  return {
    subject: 'user',
    tenantId: request.tenantId,
    traceId: answer.trace_id,
    timestamp: new Date(dependencies.now()).toISOString(),
    actor: request.actor,
    action: request.action,
    resource: request.resource,
    actingFor: undefined,
    confidenceScore: undefined,
    decision: concluded.verdict.decision,
    reason,
    downgradedScope: undefined,
    latencyMs: concluded.latencyMs,
    inputHash: canonicalHash(body),
    outputHash: canonicalHash({
      trace_id: answer.trace_id,
      decision: answer.decision,
      reason: answer.reason,
    }),
    policyDigest: concluded.policy.digest,
    policyVersion: concluded.policy.version,
    shadowMode: concluded.shadow,
    reasonClass: 'policy',
    riskScore: 0,
  };
}
