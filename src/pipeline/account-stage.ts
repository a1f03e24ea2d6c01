import type { CostCalculator, UsageRecord } from '../accounting/index.js';
import type { GatewayError } from '../errors/index.js';
import type { Usage } from '../llm/index.js';
import type { LimitLease } from '../limits/index.js';
import type { Principal, RequestContext, ResponseMeta } from './context.js';

export interface AccountingSink {
  /** Synchronous and O(1): the usage writer batches records off the request path. */
  record(record: UsageRecord): void;
}

export interface Accounting {
  readonly costs: CostCalculator;
  readonly usage: AccountingSink;
}

export interface FinishedRequest {
  readonly context: RequestContext;
  readonly principal: Principal;
  readonly model: string;
  readonly meta: ResponseMeta;
  readonly status: number;
  readonly usage: Usage | undefined;
  readonly error: GatewayError | undefined;
  readonly latencyMs: number;
  readonly savedCostUsd: number;
}

/**
 * The account stage: prices the request at the target that answered, writes its usage record
 * (asynchronously, in batches) and settles the limit lease with the actual tokens and cost.
 * Returns the cost for the request log and metrics.
 */
export function account(
  accounting: Accounting,
  finished: FinishedRequest,
  lease: LimitLease | undefined,
): number {
  const { meta, usage } = finished;
  const costUsd =
    usage === undefined || meta.cache === 'hit'
      ? 0
      : accounting.costs.costOf(meta.provider, meta.model ?? finished.model, usage);
  accounting.usage.record({
    requestId: finished.context.requestId,
    timestamp: Date.now(),
    keyId: finished.principal.keyId,
    team: finished.principal.team,
    model: finished.model,
    provider: meta.provider,
    targetModel: meta.model,
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    cachedInputTokens: usage?.cachedInputTokens ?? 0,
    costUsd,
    savedCostUsd: finished.savedCostUsd,
    latencyMs: Math.round(finished.latencyMs),
    status: finished.status,
    attempts: meta.attempts,
    cache: meta.cache,
    stream: finished.context.body.stream === true,
    errorCode: finished.error?.code,
  });
  if (lease !== undefined) {
    const tokens = (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
    // A failed settle (Redis down) only loosens this window's counts; it must not fail the request.
    lease.settle({ tokens, costUsd }).catch(() => undefined);
  }
  return costUsd;
}
