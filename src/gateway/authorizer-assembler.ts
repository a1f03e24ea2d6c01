import { timeOrderedUuid } from '../durable/index.js';
import { performance } from 'node:perf_hooks';
import type { Config } from '../config/index.js';
import { GatewayError } from '../errors/index.js';
import {
  createAuthorizer,
  enforcedOutcome,
  governanceSettingsFrom,
  neutralAgentSignals,
  type Authorizer,
  inShadowMode,
  type AgentSignals,
  type AuthorizerDependencies,
  type DecisionEvent,
  type DecisionEvents,
  type DecisionObserver,
} from '../governance/index.js';
import { decisionAuditEvent, type AuditTrail } from '../governance/audit/index.js';
import type { PolicyHolder } from '../governance/policies/index.js';
import { createLimiter, type Limiter } from '../limits/index.js';
import { createMemoryLimitStore } from '../stores/memory/memory-limit-store.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import { createRedisLimitStore } from '../stores/redis/redis-limit-store.js';
import type { Logger, Metrics, Tracing } from '../telemetry/index.js';

export interface AuthorizerNeeds {
  readonly config: Config;
  readonly redis: RedisConnection | undefined;
  readonly policies: PolicyHolder;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  readonly queueReview?: AuthorizerDependencies['queueReview'];
  readonly calibration?: AuthorizerDependencies['calibration'];
  readonly audit: AuditTrail;
  /** Screens agents' `action`, `resource` and `args` for injection (the guard's). */
  readonly screenArgs: AuthorizerDependencies['screen'];
  /** Behavioural analytics: reliability and anomaly for risk, told of every decision; absent: neutral. */
  readonly analytics?:
    | {
        readonly signals: AgentSignals;
        readonly decided: (event: DecisionEvent) => void;
      }
    | undefined;
}

/**
 * The tenant rate limit is a limiter of its own: the gateway's limiter would also count these
 * requests against `limits.global_requests_per_minute`, which is about model traffic. Counters
 * live where the model limits' do (Redis when configured, shared by replicas).
 */
function tenantLimiter(needs: AuthorizerNeeds): Limiter {
  const { redis } = needs;
  return createLimiter({
    store: redis === undefined ? createMemoryLimitStore() : createRedisLimitStore({ connection: redis }),
    fallback: redis === undefined ? undefined : createMemoryLimitStore(),
    onStoreFailure: needs.config.limits.on_redis_failure,
    // No budgets here: nothing is ever spent.
    spentSince: () => Promise.resolve(0),
    logger: needs.logger,
  });
}

function tenantAdmission(limiter: Limiter, perMinute: number | undefined) {
  const limits = { requestsPerMinute: perMinute, tokensPerMinute: undefined, concurrentRequests: undefined };
  return async (tenantId: string): Promise<GatewayError | undefined> => {
    if (perMinute === undefined) return undefined;
    const decision = await limiter.acquire({
      subject: `governance-tenant:${tenantId}`,
      limits,
      estimatedTokens: 0,
      budget: undefined,
      now: Date.now(),
    });
    if (decision.type === 'admitted') {
      // Nothing is held while deciding: the request counts in the window and that is all.
      await decision.lease.settle({ tokens: 0, costUsd: 0 });
      return undefined;
    }
    if (decision.error.code !== 'rate_limited') return decision.error;
    const retry = decision.error.headers['retry-after'];
    return new GatewayError(
      'rate_limited',
      `Rate limit of ${perMinute} authorization requests per minute reached for tenant ${JSON.stringify(tenantId)}${retry === undefined ? '' : `; retry in ${retry} s`}.`,
      { headers: decision.error.headers },
    );
  };
}

/** Every decision (an agent's or a person's) goes to the audit trail and analytics, and is a log line. */
function recordedEvents(
  logger: Logger,
  audit: AuditTrail,
  analytics: ((event: DecisionEvent) => void) | undefined,
): DecisionEvents {
  return {
    emit(event) {
      logger.info({ event }, 'agent decision');
      audit.append(decisionAuditEvent(event));
      analytics?.(event);
    },
  };
}

function meteredDecisions(metrics: Metrics): DecisionObserver {
  return {
    decided(decision, latencySeconds) {
      metrics.agentDecided({
        decision: enforcedOutcome(decision).kind,
        reasonClass: decision.decidedBy,
        confidence: decision.confidence.kind === 'measured' ? decision.confidence.value : undefined,
        risk: decision.risk.score,
        latencySeconds,
      });
      // Shadow mode queues nothing: only enforced reviews are human reviews.
      if (decision.kind === 'human_review' && !inShadowMode(decision))
        metrics.humanReviewQueued(decision.decidedBy);
    },
    decidedForUser: (decision) => metrics.userDecided(decision),
  };
}

export function assembleAuthorizer(needs: AuthorizerNeeds): {
  readonly authorizer: Authorizer;
  close(): Promise<void>;
} {
  const settings = governanceSettingsFrom(needs.config.governance);
  const limiter = tenantLimiter(needs);
  const authorizer = createAuthorizer({
    settings,
    policy: () => needs.policies.current(),
    signals: needs.analytics?.signals ?? neutralAgentSignals,
    screen: needs.screenArgs,
    events: recordedEvents(needs.logger, needs.audit, needs.analytics?.decided),
    observer: meteredDecisions(needs.metrics),
    admitTenant: tenantAdmission(limiter, settings.tenantRequestsPerMinute),
    tracing: needs.tracing,
    now: Date.now,
    elapsed: () => performance.now(),
    newTraceId: () => timeOrderedUuid(),
    ...(needs.queueReview === undefined ? {} : { queueReview: needs.queueReview }),
    ...(needs.calibration === undefined ? {} : { calibration: needs.calibration }),
  });
  return { authorizer, close: () => limiter.close() };
}
