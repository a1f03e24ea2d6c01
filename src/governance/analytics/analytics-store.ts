import type { BehaviourSummary, DecisionSample } from './behaviour.js';
import type { ReviewerOutcome } from './reputation.js';

/**
 * What analytics reads from and writes to the database (implemented in stores/sql). The database
 * is the source of truth every replica reads: decisions come from the audit log (every replica's,
 * in chain order), reviewer outcomes from the review queue, baselines from their own table.
 */

/** An agent decision from the audit log. */
export interface HistoryDecision extends DecisionSample {
  readonly tenantId: string;
  readonly actor: string;
  readonly traceId: string;
  /** The audit record's event id (its writer part names the process that recorded it). */
  readonly eventId: string;
}

export interface HistoryPage {
  /** Agent decisions only (people's checks and other events skipped), in chain order. */
  readonly decisions: readonly HistoryDecision[];
  /** The last audit record read (0 when none): the next page starts after it. */
  readonly lastSeq: number;
  /** The read stopped at its limit: more records may follow. */
  readonly more: boolean;
}

/** Reviewer outcomes of one agent, counted per time bucket. */
export interface AgentOutcomeCount {
  readonly tenantId: string;
  readonly actor: string;
  readonly outcome: ReviewerOutcome;
  /** Unix ms: the middle of the bucket. */
  readonly at: number;
  readonly count: number;
}

/** Reviewer outcomes of decisions a set of policies let through, per time bucket. */
export interface PolicyOutcomeCount {
  readonly policyIds: readonly string[];
  readonly outcome: ReviewerOutcome;
  readonly at: number;
  readonly count: number;
}

export interface AgentRef {
  readonly tenantId: string;
  readonly actor: string;
}

export interface StoredBaseline extends AgentRef {
  readonly summary: BehaviourSummary;
  /** Unix ms: when it was made; a refresh replaces it only if this has not changed meanwhile. */
  readonly computedAt: number;
}

export interface AnalyticsStore {
  /** Agent decisions after audit record `afterSeq`, at most `limit` records read. */
  decisionsAfter(afterSeq: number, limit: number): Promise<HistoryPage>;
  /** The latest agent decisions, up to `limit` records read, oldest first. */
  latestDecisions(limit: number): Promise<HistoryPage>;
  /**
   * Reviewer outcomes (approved, denied; expiries left out) resolved from `since` up to (not
   * including) `until`, counted per agent, outcome and bucket of `bucketMs`.
   */
  agentOutcomes(since: number, until: number, bucketMs: number): Promise<readonly AgentOutcomeCount[]>;
  /** The same, per set of policies that let the reviewed decision through. */
  policyOutcomes(since: number, until: number, bucketMs: number): Promise<readonly PolicyOutcomeCount[]>;
  baselines(agents: readonly AgentRef[]): Promise<readonly StoredBaseline[]>;
  /** Baselines made at or after `since` (Unix ms), by any replica. */
  baselinesSince(since: number): Promise<readonly StoredBaseline[]>;
  /**
   * Stores a baseline. `replacing`: the `computedAt` of the baseline it replaces (a refresh), which
   * must still be the stored one; undefined: only if the agent has none; `force`: in any case.
   * Resolves with the baseline stored afterwards (this one, or the one that won).
   */
  saveBaseline(baseline: StoredBaseline, replacing: number | undefined | 'force'): Promise<StoredBaseline>;
}
