import { GatewayError } from '../errors/index.js';
import type { TraceSpan } from '../telemetry/index.js';
import { agentAnswerOf, type AgentAuthorizeAnswer } from './agent-answer.js';
import { validateAuthorizeRequest, type AuthorizeRequest } from './authorize-request.js';
import { canonicalHash } from './canonical-json.js';
import type { AuthorizeCall, AuthorizeOutcome, AuthorizerDependencies } from './authorizer-dependencies.js';
import { decide, enforcedOutcome, inShadowMode } from './decisions/decide.js';
import { startSpanUnder } from './delegation/delegation-dependencies.js';
import { boundByGrant, requestUnderGrant } from './delegation/grant-bound.js';
import { decisionEventFrom, type DecisionEvent } from './events.js';
import { authorizeUserWith, type UserAuthorizeAnswer } from './user-authorizer.js';

/**
 * The governance service behind `POST /v1/agent/authorize` and `POST /v1/authorize`: validates,
 * checks the caller's binding and the tenant's rate, decides, hashes, and reports the decision
 * (event, metrics, span). Everything it touches is a parameter, so it is tested without HTTP.
 * Nothing is decided, emitted or counted for a request that is refused (400, 403, 429).
 */

export type {
  AuthorizeCall,
  AuthorizeOutcome,
  AuthorizerDependencies,
  DecisionObserver,
} from './authorizer-dependencies.js';

export interface Authorizer {
  authorizeAgent(call: AuthorizeCall): Promise<AuthorizeOutcome<AgentAuthorizeAnswer>>;
  authorizeUser(call: Omit<AuthorizeCall, 'boundAgent'>): Promise<AuthorizeOutcome<UserAuthorizeAnswer>>;
}

function bindingError(boundAgent: string, actor: string): GatewayError {
  return new GatewayError(
    'permission_denied',
    `This key is bound to agent ${JSON.stringify(boundAgent)} and may only ask about it, not about actor ${JSON.stringify(actor)}.`,
    { param: 'actor' },
  );
}

export function createAuthorizer(dependencies: AuthorizerDependencies): Authorizer {
  const { settings } = dependencies;

  async function admitted(call: AuthorizeCall): Promise<AuthorizeOutcome<AuthorizeRequest>> {
    const validation = validateAuthorizeRequest(call.body, {
      actorFallback: call.boundAgent,
      tenantFallback: call.grant?.grant.tenantId,
    });
    if (!validation.ok) return { type: 'rejected', error: validation.error };
    // Exact comparison: `Agent-A` or ` agent-a` is another actor, and another key's business.
    if (call.boundAgent !== undefined && validation.request.actor !== call.boundAgent)
      return { type: 'rejected', error: bindingError(call.boundAgent, validation.request.actor) };
    const request =
      call.grant === undefined ? validation.request : requestUnderGrant(validation.request, call.grant);
    if (request instanceof GatewayError) return { type: 'rejected', error: request };
    const refusal = await dependencies.admitTenant(request.tenantId);
    return refusal === undefined
      ? { type: 'answered', answer: request }
      : { type: 'rejected', error: refusal };
  }

  return {
    async authorizeAgent(call) {
      const started = dependencies.elapsed();
      const checked = await admitted(call);
      if (checked.type === 'rejected') return checked;
      const span = startSpan(dependencies, call, checked.answer);
      const { answer, policyIds } = decideAndReport(
        dependencies,
        { ...call, request: checked.answer },
        started,
        span,
      );
      return answer.requires_human_review
        ? withReview(dependencies, checked.answer, answer, policyIds)
        : answered(answer);
    },
    authorizeUser: (call) => authorizeUserWith(dependencies, settings, call),
  };
}

const answered = (answer: AgentAuthorizeAnswer): AuthorizeOutcome<AgentAuthorizeAnswer> => ({
  type: 'answered',
  answer,
});

const reviewNotQueued = new GatewayError(
  'service_unavailable',
  'The decision asks for human review, but the review could not be queued (the database is unavailable); retry.',
);

/** A `human_review` answer goes out only with its review stored: the caller waits on it next. */
async function withReview(
  dependencies: AuthorizerDependencies,
  request: AuthorizeRequest,
  answer: AgentAuthorizeAnswer,
  policyIds: readonly string[],
): Promise<AuthorizeOutcome<AgentAuthorizeAnswer>> {
  if (dependencies.queueReview === undefined) return answered(answer);
  try {
    return answered({ ...answer, review_id: await dependencies.queueReview(request, answer, policyIds) });
  } catch {
    return { type: 'rejected', error: reviewNotQueued };
  }
}

/** Under a grant, the span joins the grant's trace, linked to the caller's own context. */
function startSpan(
  dependencies: AuthorizerDependencies,
  call: AuthorizeCall,
  request: AuthorizeRequest,
): TraceSpan {
  return startSpanUnder(dependencies.tracing, call.headers, call.grant?.grant.traceparent, {
    operation: 'gatehouse.agent.authorize',
    requestModel: undefined,
    attributes: {
      'gatehouse.agent.tenant_id': request.tenantId,
      'gatehouse.agent.actor': request.actor,
      'gatehouse.agent.action': request.action,
      'gatehouse.agent.grant_id': call.grant?.grant.id,
    },
  });
}

function decideAndReport(
  dependencies: AuthorizerDependencies,
  call: AuthorizeCall & { readonly request: AuthorizeRequest },
  started: number,
  span: TraceSpan,
): { readonly answer: AgentAuthorizeAnswer; readonly policyIds: readonly string[] } {
  const { request, body, grant } = call;
  const now = dependencies.now();
  const decided = decide({
    request,
    settings: dependencies.settings,
    policy: dependencies.policy(),
    signals: dependencies.signals,
    screen: dependencies.screen,
    calibration: dependencies.calibration,
    now,
  });
  const decision = boundByGrant(decided, request, grant);
  const traceId = dependencies.newTraceId();
  const answer = agentAnswerOf(decision, traceId, canonicalHash(body));
  const latencyMs = dependencies.elapsed() - started;
  emitDecision(
    dependencies,
    decisionEventFrom(request, decision, {
      traceId,
      timestamp: new Date(now).toISOString(),
      latencyMs,
      inputHash: answer.input_hash,
      outputHash: answer.output_hash,
    }),
    grant?.grant.id,
  );
  dependencies.observer.decided(decision, latencyMs / 1000);
  if (span.isRecording) {
    span.setAttributes({
      'gatehouse.agent.decision': enforcedOutcome(decision).kind,
      'gatehouse.agent.reason_class': decision.decidedBy,
      'gatehouse.agent.trace_id': traceId,
      'gatehouse.agent.risk_score': decision.risk.score,
      'gatehouse.agent.confidence_used': decision.confidenceUsed,
      'gatehouse.agent.shadow_mode': inShadowMode(decision),
      'gatehouse.policy.digest': decision.policy.digest,
    });
  }
  span.end();
  return { answer, policyIds: decision.policy.policyIds };
}

/** A decision under a grant names it in its event. */
function emitDecision(
  dependencies: AuthorizerDependencies,
  event: DecisionEvent,
  grantId: string | undefined,
): void {
  dependencies.events.emit(grantId === undefined ? event : { ...event, grantId });
}
