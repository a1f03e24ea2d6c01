/**
 * Usage records: one per request that reached routing (answered, failed or served from cache),
 * written asynchronously in batches, never on the request path.
 */
export interface UsageRecord {
  /**
   * Unique per record (the gateway sets it), so that a batch written twice — the database committed
   * it but the answer was lost — is stored once. Optional for records built by hand in tests.
   */
  readonly recordId?: string;
  readonly requestId: string;
  /** Unix milliseconds. */
  readonly timestamp: number;
  readonly keyId: string;
  readonly team: string | undefined;
  /** The model name the caller asked for. */
  readonly model: string;
  /** The target that answered (undefined when none did). */
  readonly provider: string | undefined;
  readonly targetModel: string | undefined;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly costUsd: number;
  /** What a cache hit saved (the cost the upstream call would have had). */
  readonly savedCostUsd: number;
  readonly latencyMs: number;
  readonly status: number;
  readonly attempts: number;
  readonly cache: 'hit' | 'miss' | 'bypass';
  readonly stream: boolean;
  readonly errorCode: string | undefined;
}

export interface UsageQuery {
  /** Unix milliseconds, inclusive. */
  readonly from: number;
  /** Unix milliseconds, exclusive. */
  readonly to: number;
  readonly keyId?: string;
  readonly team?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly groupBy: readonly ('key' | 'model' | 'provider' | 'day' | 'team')[];
}

export interface UsageSummaryRow {
  readonly key?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly team?: string;
  /** `YYYY-MM-DD` (UTC). */
  readonly day?: string;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  readonly costUsd: number;
  readonly savedCostUsd: number;
}

/** What accounting needs from storage; `stores/sql` implements it on SQLite and Postgres. */
export interface UsageStore {
  /** Writes a batch atomically; throws when the database is unavailable (the writer buffers). */
  insertBatch(records: readonly UsageRecord[]): Promise<void>;
  summarize(query: UsageQuery): Promise<readonly UsageSummaryRow[]>;
  /** Total cost since `since` for a key, or for a team when `team` is given (budgets). */
  spentSince(scope: { readonly keyId?: string; readonly team?: string }, since: number): Promise<number>;
}
