import type { CostCalculator } from '../../accounting/index.js';
import type { LimitLease, Limiter } from '../../limits/index.js';
import type { Metrics, Tracing } from '../../telemetry/index.js';
import { noMeta, principalOf, proceed, summaryOf, type RequestStage } from '../stage.js';
import { limitRequestFor, type TargetsOf } from './limit-request.js';

export interface LimitStageDependencies {
  readonly limiter: Limiter;
  readonly costs: CostCalculator;
  readonly targetsOf: TargetsOf;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
}

/**
 * Rates, concurrency and budget: an admitted request holds a lease (its reserved share) that it
 * settles with what it really used; a refused one reports the limits' headers all the same.
 */
export function createLimitStage(dependencies: LimitStageDependencies): RequestStage {
  const { limiter, costs, targetsOf, metrics, tracing } = dependencies;
  return {
    name: 'limit',
    async run(call) {
      const { context } = call;
      const principal = principalOf(call);
      const limitSpan = tracing.startChildSpan(call.span, 'gatehouse.limits');
      const decision = await limiter.acquire(
        limitRequestFor(
          {
            principal,
            dialect: context.dialect,
            operation: context.operation,
            summary: summaryOf(call),
            body: context.body,
            now: Date.now(),
          },
          costs,
          targetsOf,
        ),
      );
      limitSpan.setAttributes({ 'gatehouse.limit.decision': decision.type });
      limitSpan.end();
      call.meta = { ...noMeta, rateLimitHeaders: decision.headers };
      if (decision.type === 'rejected') {
        if (decision.limit === 'budget')
          metrics.budgetExceeded(principal.team === undefined ? 'key' : 'team');
        else metrics.rateLimited(decision.limit);
        return { type: 'reject', error: decision.error };
      }
      call.lease = settleOnce(decision.lease);
      if (decision.budget !== undefined) metrics.budgetUsed(decision.budget.scope, decision.budget.usedRatio);
      return proceed;
    },
  };
}

/** A lease whose second settlement is a no-op: a request gives its share back exactly once. */
function settleOnce(lease: LimitLease): LimitLease {
  let settled: Promise<void> | undefined;
  return { settle: (actual) => (settled ??= lease.settle(actual)) };
}
