import type {
  CostCalculator,
  TokenCounter,
  UsageRecord,
  UsageRecordIdGenerator,
} from '../../accounting/index.js';
import type { Usage } from '../../llm/index.js';
import type { Principal } from '../context.js';
import type { Accounted, FinishedRequest } from '../finished-request.js';

export interface AccountingSink {
  /** Synchronous and O(1): the usage writer batches records off the request path. */
  record(record: UsageRecord): void;
}

export interface Accounting {
  readonly costs: CostCalculator;
  readonly usage: AccountingSink;
  readonly tokens: TokenCounter;
  /** The type of a configured provider, so that `type/model` price overrides apply. */
  readonly providerType: (provider: string) => string | undefined;
  readonly newRecordId: UsageRecordIdGenerator;
}

/**
 * The account stage: prices the request at the target that answered, writes its usage record
 * (asynchronously, in batches) and settles the limit lease with the actual tokens and cost. An
 * answer that came without usage (a server that ignores `include_usage`, a stream cut short) is
 * counted with a tokenizer first, off the request path. `pending` holds those counts so that
 * shutdown can wait for them before closing the usage writer.
 */
export function createAccountStage(accounting: Accounting) {
  const pending = new Set<Promise<void>>();

  function settle(finished: FinishedRequest, principal: Principal, usage: Usage | undefined): Accounted {
    const { meta, lease } = finished;
    const model = finished.model ?? '';
    const provider =
      meta.provider === undefined
        ? undefined
        : { name: meta.provider, type: accounting.providerType(meta.provider) ?? meta.provider };
    const costUsd =
      usage === undefined || meta.cache === 'hit'
        ? 0
        : accounting.costs.costOf(provider, meta.model ?? model, usage);
    accounting.usage.record({
      recordId: accounting.newRecordId(),
      requestId: finished.context.requestId,
      timestamp: Date.now(),
      keyId: principal.keyId,
      team: principal.team,
      model,
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
      stream: finished.stream,
      errorCode: finished.error?.code,
    });
    if (lease !== undefined) {
      // A cache hit used no provider tokens: it does not count against tokens per minute.
      const tokens = meta.cache === 'hit' ? 0 : (usage?.inputTokens ?? 0) + (usage?.outputTokens ?? 0);
      // A failed settle (Redis down) only loosens this window's counts; it must not fail the request.
      lease.settle({ tokens, costUsd }).catch(() => undefined);
    }
    return { costUsd, usage };
  }

  return {
    /**
     * Accounts one request; resolves with its cost and the usage accounted — the provider's, or
     * the tokenizer's count when it reported none (at once, unless tokens had to be counted).
     * Never rejects.
     */
    account(finished: FinishedRequest, principal: Principal): Promise<Accounted> {
      const { usage, outputText, meta } = finished;
      if (
        usage !== undefined ||
        outputText === undefined ||
        outputText === '' ||
        meta.provider === undefined
      ) {
        return Promise.resolve(settle(finished, principal, usage));
      }
      const counting = accounting.tokens
        .countUsage({
          body: finished.context.body,
          dialect: finished.context.dialect,
          model: meta.model ?? finished.model ?? '',
          outputText,
        })
        .then(
          (counted) => settle(finished, principal, counted),
          () => settle(finished, principal, undefined),
        );
      const tracked = counting.then(() => undefined);
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
      return counting;
    },
    /** Resolves once every count in progress has been recorded (graceful shutdown). */
    async drain(): Promise<void> {
      await Promise.all([...pending]);
    },
  };
}

export type AccountStage = ReturnType<typeof createAccountStage>;
