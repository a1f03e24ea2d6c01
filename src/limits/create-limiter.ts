import { randomUUID } from 'node:crypto';
import { GatewayError } from '../errors/index.js';
import type { Logger } from '../telemetry/index.js';
import { admissionPlan } from './admission-plan.js';
import type { AdmissionPlan, LimitStore } from './limit-store.js';
import { toMicroUsd } from './money.js';
import { rateLimitHeaders } from './rate-limit-headers.js';
import { rejectionError } from './rejection.js';
import type { LimitDecision, LimitLease, LimitRequest, Limiter } from './types.js';

/** How long one database read of a cold budget serves the requests that found it cold together. */
const initialisationReuseMs = 1_000;

export type StoreFailurePolicy = 'local' | 'fail_closed';

export interface LimiterOptions {
  /** Where decisions are made: the Redis store (shared by replicas) or the memory store (one node). */
  readonly store: LimitStore;
  /** A memory store used while `store` is unavailable, when the policy is `local`. */
  readonly fallback?: LimitStore | undefined;
  /** `limits.on_redis_failure`: enforce per replica (`local`, the default) or refuse with 503. */
  readonly onStoreFailure?: StoreFailurePolicy | undefined;
  readonly globalRequestsPerMinute?: number | undefined;
  /**
   * Spent in USD for a budget scope (`key:<id>` / `team:<name>`) since a Unix-ms instant, from the
   * usage records. Read once per scope and period, when no counter exists yet (first use, a
   * restart without Redis, a flushed or expired Redis counter).
   */
  readonly spentSince: (scope: string, since: number) => Promise<number>;
  readonly logger: Logger;
  /** Unix milliseconds; used when a lease settles (admission uses the request's `now`). */
  readonly now?: (() => number) | undefined;
  readonly newLeaseId?: (() => string) | undefined;
}

/**
 * The Limiter: builds one plan per request, asks the store once, turns the outcome into headers, a
 * lease or a rejection, and falls back (or refuses) while a shared store is unreachable.
 */
export function createLimiter(options: LimiterOptions): Limiter {
  const { store, fallback, logger, spentSince } = options;
  const now = options.now ?? Date.now;
  const newLeaseId = options.newLeaseId ?? randomUUID;
  const policy = options.onStoreFailure ?? 'local';
  const unlimited: LimitDecision = {
    type: 'admitted',
    lease: { settle: () => Promise.resolve() },
    headers: {},
  };
  /** Why the last attempt to use `store` failed; cleared by the next success. Logged once per episode. */
  let failure: string | undefined;
  /** Database reads in progress, so a burst on a cold budget asks the database once. */
  const initialising = new Map<string, Promise<number | undefined>>();

  async function acquire(request: LimitRequest): Promise<LimitDecision> {
    const plan = admissionPlan(request, options.globalRequestsPerMinute, newLeaseId());
    if (plan === undefined) return unlimited;
    const reason = store.unavailable();
    if (reason !== undefined) return degraded(reason, plan, request);
    let decision: LimitDecision;
    try {
      decision = await decide(store, plan, request);
    } catch (error) {
      return degraded(describe(error), plan, request);
    }
    if (failure !== undefined) {
      logger.info({ previous_failure: failure }, 'limits are shared across replicas again');
      failure = undefined;
    }
    return decision;
  }

  async function degraded(
    reason: string,
    plan: AdmissionPlan,
    request: LimitRequest,
  ): Promise<LimitDecision> {
    const local = policy === 'local' ? fallback : undefined;
    if (failure === undefined) {
      const consequence =
        local === undefined ? 'refusing requests (fail_closed)' : 'enforcing limits per replica';
      logger.warn({ reason }, `limit store unavailable; ${consequence} until it returns`);
    }
    failure = reason;
    if (local !== undefined) return decide(local, plan, request);
    const error = new GatewayError(
      'service_unavailable',
      'Rate limits and budgets cannot be checked because the shared limit store is unreachable; this gateway is configured to refuse requests until it returns.',
      { headers: { 'retry-after': '1' } },
    );
    return { type: 'rejected', error, headers: {}, limit: 'unknown' };
  }

  async function decide(
    target: LimitStore,
    plan: AdmissionPlan,
    request: LimitRequest,
  ): Promise<LimitDecision> {
    let admitted = plan;
    let outcome = await target.admit(plan);
    if (outcome.type === 'budget_uninitialised' && plan.budget !== undefined) {
      const spent = await initialSpent(plan.budget.scope, plan.budget.periodStart);
      // Without the database's figure the budget cannot be judged; the request is not refused for
      // an outage of the usage database (SPEC §8: keep serving), and the next request asks again.
      admitted =
        spent === undefined
          ? { ...plan, budget: undefined }
          : { ...plan, budget: { ...plan.budget, initialSpentMicroUsd: toMicroUsd(spent) } };
      outcome = await target.admit(admitted);
    }
    if (outcome.type === 'budget_uninitialised')
      throw new Error('the limit store did not initialise the budget');
    const headers = rateLimitHeaders(admitted, outcome.usage);
    if (outcome.admitted) {
      const budget =
        admitted.budget === undefined || outcome.usage.budget === undefined ? undefined : admitted.budget;
      const state = outcome.usage.budget;
      return {
        type: 'admitted',
        lease: lease(target, admitted),
        headers,
        ...(budget === undefined || state === undefined || budget.limitMicroUsd <= 0
          ? {}
          : {
              budget: {
                scope: budget.scope,
                // Spent and reserved (this request's estimate included), as a share of the budget.
                usedRatio:
                  (state.spentMicroUsd + state.reservedMicroUsd + budget.estimateMicroUsd) /
                  budget.limitMicroUsd,
              },
            }),
      };
    }
    return { type: 'rejected', ...rejectionError(admitted, outcome.usage, request.budget, headers), headers };
  }

  function initialSpent(scope: string, periodStart: number): Promise<number | undefined> {
    const key = `${scope}@${periodStart}`;
    const pending = initialising.get(key);
    if (pending !== undefined) return pending;
    const reading = spentSince(scope, periodStart).then(
      (spent) => (Number.isFinite(spent) ? Math.max(0, spent) : 0),
      (error: unknown) => {
        logger.warn(
          { err: error, scope },
          'could not read spend from the database; this budget is not checked for now',
        );
        return undefined;
      },
    );
    initialising.set(key, reading);
    // Kept a moment after it resolves: requests of the same burst whose first answer was
    // `budget_uninitialised` are still arriving, and the database need not be asked again.
    void reading.then(() => setTimeout(() => initialising.delete(key), initialisationReuseMs).unref());
    return reading;
  }

  function lease(target: LimitStore, plan: AdmissionPlan): LimitLease {
    let settled = false;
    return {
      async settle(actual) {
        if (settled) return;
        settled = true;
        try {
          await target.settle({
            plan,
            now: now(),
            actualTokens: Math.max(0, Math.round(actual.tokens)),
            actualCostMicroUsd: toMicroUsd(actual.costUsd),
          });
        } catch (error) {
          // The lease's entries expire by themselves; the usage record still reaches the database.
          // An outage is logged once, by the connection, not once per request.
          if (target.unavailable() === undefined) {
            logger.warn({ err: error, subject: plan.subject }, 'could not settle a limit lease');
          }
        }
      },
    };
  }

  return {
    acquire,
    health() {
      const reason = store.unavailable() ?? failure;
      if (reason === undefined) return { shared: store.shared, degraded: undefined };
      const local = policy === 'local' ? fallback : undefined;
      const consequence = local === undefined ? 'refusing requests' : 'limits enforced per replica';
      return { shared: false, degraded: `${reason}; ${consequence}` };
    },
    async close() {
      await store.close();
      await fallback?.close();
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
