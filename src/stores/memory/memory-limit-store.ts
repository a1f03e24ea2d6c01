import {
  afterAdmission,
  bucketStart,
  readWindow,
  windowHorizon,
  windowMs,
  windowState,
  type AdmissionOutcome,
  type AdmissionPlan,
  type BudgetState,
  type LimitStore,
  type Settlement,
  type WindowState,
} from '../../limits/index.js';

interface BudgetCounter {
  spentMicroUsd: number;
  reservedMicroUsd: number;
  /** Lease id → reserved micro-dollars and when. */
  readonly reservations: Map<string, { readonly amount: number; readonly at: number }>;
  expiresAt: number;
}

interface Check {
  readonly window: Map<number, number>;
  readonly cost: number;
  readonly state: WindowState;
  readonly reading: ReturnType<typeof readWindow>;
}

/**
 * The limit store for one node: the same rules as the Redis store (see `limits/limit-store.ts`),
 * kept in maps. Admission runs synchronously between two awaits, so it is atomic in Node's single
 * thread. Used when no Redis is configured, and per replica while Redis is unreachable.
 */
export interface MemoryLimitStoreOptions {
  /**
   * A lease never settled (a request path that forgot to) is dropped after this long, as in the
   * Redis store, whose renewals stop then; without it the slot would be lost until a restart.
   */
  readonly maxLeaseMs?: number | undefined;
}

const defaultMaxLeaseMs = 3_600_000;

export function createMemoryLimitStore(options: MemoryLimitStoreOptions = {}): LimitStore {
  const maxLeaseMs = options.maxLeaseMs ?? defaultMaxLeaseMs;
  const windows = new Map<string, Map<number, number>>();
  /** Subject → lease id → admitted at. */
  const concurrency = new Map<string, Map<string, number>>();
  const budgets = new Map<string, BudgetCounter>();
  let lastSweep = 0;

  function windowOf(key: string): Map<number, number> {
    let window = windows.get(key);
    if (window === undefined) {
      window = new Map();
      windows.set(key, window);
    }
    return window;
  }

  function check(key: string, cost: number, limit: number | undefined, now: number): Check | undefined {
    if (limit === undefined) return undefined;
    const window = windowOf(key);
    const reading = readWindow(window, now);
    return { window, cost, reading, state: windowState(reading, cost, limit, now) };
  }

  function record(entry: Check | undefined, now: number): WindowState | undefined {
    if (entry === undefined) return undefined;
    if (entry.state.waitMs !== undefined) return entry.state;
    const bucket = bucketStart(now);
    if (entry.cost > 0) entry.window.set(bucket, (entry.window.get(bucket) ?? 0) + entry.cost);
    return afterAdmission(entry.state, entry.reading, entry.cost, now);
  }

  function counterOf(plan: AdmissionPlan): BudgetCounter | 'uninitialised' | undefined {
    const budget = plan.budget;
    if (budget === undefined) return undefined;
    const key = budgetKey(budget.scope, budget.periodStart);
    const existing = budgets.get(key);
    if (existing !== undefined && existing.expiresAt > plan.now) {
      existing.expiresAt = Math.max(existing.expiresAt, budget.expiresAt);
      return existing;
    }
    if (budget.initialSpentMicroUsd === undefined) return 'uninitialised';
    const counter: BudgetCounter = {
      spentMicroUsd: budget.initialSpentMicroUsd,
      reservedMicroUsd: 0,
      reservations: new Map(),
      expiresAt: budget.expiresAt,
    };
    budgets.set(key, counter);
    return counter;
  }

  /**
   * Drops what has left every window or period, and leases abandoned for longer than `maxLeaseMs`,
   * at most once a window, so that idle subjects cost nothing.
   */
  function sweep(now: number) {
    if (now - lastSweep < windowMs) return;
    lastSweep = now;
    for (const [key, window] of windows) {
      if (readWindow(window, now).oldest === undefined) windows.delete(key);
    }
    for (const [key, counter] of budgets) {
      if (counter.expiresAt <= now) {
        budgets.delete(key);
        continue;
      }
      for (const [leaseId, reservation] of counter.reservations) {
        if (now - reservation.at < maxLeaseMs) continue;
        counter.reservations.delete(leaseId);
        counter.reservedMicroUsd -= reservation.amount;
      }
    }
    for (const [subject, leases] of concurrency) {
      for (const [leaseId, at] of leases) if (now - at >= maxLeaseMs) leases.delete(leaseId);
      if (leases.size === 0) concurrency.delete(subject);
    }
  }

  function admit(plan: AdmissionPlan): Promise<AdmissionOutcome> {
    const now = plan.now;
    sweep(now);
    const counter = counterOf(plan);
    if (counter === 'uninitialised') return Promise.resolve({ type: 'budget_uninitialised' });
    const requests = check(requestsKey(plan.subject), 1, plan.requestsPerMinute, now);
    const tokens = check(tokensKey(plan.subject), plan.estimatedTokens, plan.tokensPerMinute, now);
    const global = check(globalKey, 1, plan.globalRequestsPerMinute, now);
    const leases = plan.concurrentRequests === undefined ? undefined : concurrency.get(plan.subject);
    const inFlight = plan.concurrentRequests === undefined ? undefined : (leases?.size ?? 0);
    const budgetBefore: BudgetState | undefined =
      counter === undefined
        ? undefined
        : { spentMicroUsd: counter.spentMicroUsd, reservedMicroUsd: counter.reservedMicroUsd };
    const admitted =
      requests?.state.waitMs === undefined &&
      tokens?.state.waitMs === undefined &&
      global?.state.waitMs === undefined &&
      (inFlight === undefined ||
        plan.concurrentRequests === undefined ||
        inFlight < plan.concurrentRequests) &&
      (counter === undefined ||
        plan.budget === undefined ||
        counter.spentMicroUsd + counter.reservedMicroUsd + plan.budget.estimateMicroUsd <=
          plan.budget.limitMicroUsd);
    if (!admitted) {
      const usage = {
        requests: requests?.state,
        tokens: tokens?.state,
        global: global?.state,
        inFlight,
        budget: budgetBefore,
      };
      return Promise.resolve({ type: 'decided', admitted: false, usage });
    }
    if (plan.concurrentRequests !== undefined) {
      concurrency.set(plan.subject, (leases ?? new Map<string, number>()).set(plan.leaseId, now));
    }
    if (counter !== undefined && plan.budget !== undefined) {
      counter.reservations.set(plan.leaseId, { amount: plan.budget.estimateMicroUsd, at: now });
      counter.reservedMicroUsd += plan.budget.estimateMicroUsd;
    }
    const usage = {
      requests: record(requests, now),
      tokens: record(tokens, now),
      global: record(global, now),
      inFlight: inFlight === undefined ? undefined : inFlight + 1,
      budget: budgetBefore,
    };
    return Promise.resolve({ type: 'decided', admitted: true, usage });
  }

  function settle(settlement: Settlement): Promise<void> {
    const { plan, now } = settlement;
    if (plan.tokensPerMinute !== undefined) {
      const window = windowOf(tokensKey(plan.subject));
      const admittedBucket = bucketStart(plan.now);
      if (admittedBucket >= windowHorizon(now)) {
        const left = (window.get(admittedBucket) ?? 0) - plan.estimatedTokens;
        if (left > 0) window.set(admittedBucket, left);
        else window.delete(admittedBucket);
      }
      const bucket = bucketStart(now);
      if (settlement.actualTokens > 0)
        window.set(bucket, (window.get(bucket) ?? 0) + settlement.actualTokens);
    }
    if (plan.concurrentRequests !== undefined) {
      const leases = concurrency.get(plan.subject);
      leases?.delete(plan.leaseId);
      if (leases?.size === 0) concurrency.delete(plan.subject);
    }
    if (plan.budget !== undefined) {
      const counter = budgets.get(budgetKey(plan.budget.scope, plan.budget.periodStart));
      if (counter !== undefined) {
        const reserved = counter.reservations.get(plan.leaseId);
        if (reserved !== undefined) {
          counter.reservations.delete(plan.leaseId);
          counter.reservedMicroUsd -= reserved.amount;
        }
        counter.spentMicroUsd += settlement.actualCostMicroUsd;
      }
    }
    return Promise.resolve();
  }

  return {
    shared: false,
    admit,
    settle,
    unavailable: () => undefined,
    budgetState(scope, periodStart) {
      const counter = budgets.get(budgetKey(scope, periodStart));
      return Promise.resolve(
        counter === undefined
          ? undefined
          : { spentMicroUsd: counter.spentMicroUsd, reservedMicroUsd: counter.reservedMicroUsd },
      );
    },
    close() {
      windows.clear();
      concurrency.clear();
      budgets.clear();
      return Promise.resolve();
    },
  };
}

// NUL cannot occur in a key id or team name, so these keys cannot collide.
const globalKey = 'global';
const requestsKey = (subject: string) => `requests\u0000${subject}`;
const tokensKey = (subject: string) => `tokens\u0000${subject}`;
const budgetKey = (scope: string, periodStart: number) => `${scope}\u0000${periodStart}`;
