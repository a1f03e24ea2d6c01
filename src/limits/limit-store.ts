/**
 * What the limiter needs from storage. `stores/memory` implements it in process (one node) and
 * `stores/redis` on Redis with Lua scripts (every replica). Both follow the same rules, stated here
 * once; amounts are integers (whole tokens, micro-dollars) so that sums are exact in both.
 *
 * Windows: a sliding window of one minute counted in one-second buckets. At time `t` the window
 * holds every bucket that starts at or after `bucketStart(t) - 59 s`: the current, partial second
 * and the 59 whole seconds before it. So at most `limit` admissions fall in any span shorter than
 * 59 s, and an admission stops counting at most 60 s after it was made. Admission is exact (every
 * check and every increment happen atomically, all or nothing); only the window's edge is rounded
 * to the second.
 */
export interface AdmissionPlan {
  /** Unique per admission; names the lease in the concurrency set and the budget reservations. */
  readonly leaseId: string;
  readonly subject: string;
  /** Unix milliseconds of the admission. */
  readonly now: number;
  readonly requestsPerMinute: number | undefined;
  readonly tokensPerMinute: number | undefined;
  readonly concurrentRequests: number | undefined;
  readonly globalRequestsPerMinute: number | undefined;
  /** Whole tokens reserved in the tokens window (only when `tokensPerMinute` applies). */
  readonly estimatedTokens: number;
  readonly budget: BudgetPlan | undefined;
}

export interface BudgetPlan {
  readonly scope: string;
  readonly periodStart: number;
  readonly limitMicroUsd: number;
  /** Reserved at admission, replaced by the actual cost at settle. */
  readonly estimateMicroUsd: number;
  /** Unix milliseconds after which the period's counters may be forgotten (then re-read from the database). */
  readonly expiresAt: number;
  /**
   * What the database says was spent in this period, given only on the retry after a
   * `budget_uninitialised` outcome; the store sets it only if no counter exists yet (set-if-absent).
   */
  readonly initialSpentMicroUsd: number | undefined;
}

export interface WindowState {
  /** Amount counted in the window (after this admission when admitted, before it when rejected). */
  readonly used: number;
  /** Milliseconds until the oldest counted amount leaves the window (0 when the window is empty). */
  readonly nextReleaseMs: number;
  /** Undefined when this request fits; else milliseconds until it would (`Infinity`: never). */
  readonly waitMs: number | undefined;
}

export interface AdmissionUsage {
  readonly requests: WindowState | undefined;
  readonly tokens: WindowState | undefined;
  readonly global: WindowState | undefined;
  /** Leases held for the subject (after this admission when admitted). */
  readonly inFlight: number | undefined;
  /** The budget's counters before this admission's reservation. */
  readonly budget: { readonly spentMicroUsd: number; readonly reservedMicroUsd: number } | undefined;
}

export type AdmissionOutcome =
  | { readonly type: 'decided'; readonly admitted: boolean; readonly usage: AdmissionUsage }
  /** The budget's counter for this period does not exist: ask again with `initialSpentMicroUsd`. */
  | { readonly type: 'budget_uninitialised' };

export interface Settlement {
  /** The plan that was admitted. */
  readonly plan: AdmissionPlan;
  /** Unix milliseconds of the settlement: the actual tokens are counted in this second's bucket. */
  readonly now: number;
  readonly actualTokens: number;
  readonly actualCostMicroUsd: number;
}

export interface BudgetState {
  readonly spentMicroUsd: number;
  readonly reservedMicroUsd: number;
}

export interface LimitStore {
  /** True when decisions are shared by every replica (Redis); false in process. */
  readonly shared: boolean;
  /** One atomic check-and-reserve: every applicable limit passes and is incremented, or nothing is. */
  admit(plan: AdmissionPlan): Promise<AdmissionOutcome>;
  /**
   * Releases the concurrency lease, replaces the token estimate by the actual count (in the
   * settlement's bucket) and the budget reservation by the actual cost. A shared store may keep a
   * settlement it cannot send during an outage and send it when it can.
   */
  settle(settlement: Settlement): Promise<void>;
  /** Why the store cannot be used now (e.g. Redis unreachable), or undefined when it can. */
  unavailable(): string | undefined;
  /** The budget's counters for a period, or undefined when none exist (cold). */
  budgetState(scope: string, periodStart: number): Promise<BudgetState | undefined>;
  close(): Promise<void>;
}
