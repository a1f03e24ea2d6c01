import { budgetCounterExpiry } from './budget-period.js';
import type { AdmissionPlan } from './limit-store.js';
import { estimateToMicroUsd, toMicroUsd } from './money.js';
import type { LimitRequest } from './types.js';

/**
 * The store's view of a request: whole units, and only the limits that apply. Returns undefined
 * when nothing applies, so an unlimited caller costs no store round trip at all.
 */
export function admissionPlan(
  request: LimitRequest,
  globalRequestsPerMinute: number | undefined,
  leaseId: string,
): AdmissionPlan | undefined {
  const { limits, budget } = request;
  const plan: AdmissionPlan = {
    leaseId,
    subject: request.subject,
    now: Math.floor(request.now),
    requestsPerMinute: limits.requestsPerMinute,
    tokensPerMinute: limits.tokensPerMinute,
    concurrentRequests: limits.concurrentRequests,
    globalRequestsPerMinute,
    estimatedTokens: Math.max(0, Math.ceil(request.estimatedTokens)),
    budget:
      budget === undefined
        ? undefined
        : {
            scope: budget.scope,
            periodStart: budget.periodStart,
            limitMicroUsd: toMicroUsd(budget.limitUsd),
            estimateMicroUsd: estimateToMicroUsd(budget.estimatedCostUsd),
            expiresAt: budgetCounterExpiry(budget, request.now),
            initialSpentMicroUsd: undefined,
          },
  };
  const limited =
    plan.requestsPerMinute !== undefined ||
    plan.tokensPerMinute !== undefined ||
    plan.concurrentRequests !== undefined ||
    plan.globalRequestsPerMinute !== undefined ||
    plan.budget !== undefined;
  return limited ? plan : undefined;
}
