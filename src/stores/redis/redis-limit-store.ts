import {
  bucketMs,
  windowMs,
  type AdmissionOutcome,
  type AdmissionPlan,
  type LimitStore,
  type Settlement,
  type WindowState,
} from '../../limits/index.js';
import type { RedisConnection } from './redis-client.js';
import { admitScript, settleScript } from './redis-limit-scripts.js';

export interface RedisLimitStoreOptions {
  readonly connection: RedisConnection;
  /**
   * How long a concurrency slot or budget reservation survives without renewal: a replica that dies
   * mid-request holds them at most this long. Living replicas renew theirs every third of it.
   */
  readonly leaseTtlMs?: number | undefined;
  /** Leases older than this stop being renewed (a request nobody settled, a bug): they then expire. */
  readonly maxLeaseMs?: number | undefined;
  readonly now?: (() => number) | undefined;
}

interface LimitCommands {
  gatehouseLimitAdmit(...keysAndArguments: (string | number)[]): Promise<number[]>;
  /** Takes the number of keys first: a call settles a variable number of leases. */
  gatehouseLimitSettle(keyCount: number, ...keysAndArguments: (string | number)[]): Promise<number>;
}

interface LimitKeys {
  readonly requests: string;
  readonly tokens: string;
  readonly concurrency: string;
  readonly global: string;
  readonly budget: string;
  readonly reservations: string;
}

const defaultLeaseTtlMs = 30_000;
/** Bounds the settlements kept through an outage (a few MB); beyond it the oldest are dropped. */
const maxUnsent = 10_000;
const defaultMaxLeaseMs = 3_600_000;
/** Settlements per script call at most (its keys and arguments are unpacked into Lua's stack). */
const maxSettlementsPerCall = 200;

/**
 * Limits and budgets on Redis, shared by every replica: one EVALSHA per admission, and one for the
 * settlements of an event-loop turn (ioredis `defineCommand` sends the script's hash, and its body
 * only once per connection if Redis does not know it). Does not own the connection: closing the store stops the
 * lease renewal, the connection's owner closes the connection.
 */
export function createRedisLimitStore(options: RedisLimitStoreOptions): LimitStore {
  const { connection } = options;
  const now = options.now ?? Date.now;
  const leaseTtlMs = options.leaseTtlMs ?? defaultLeaseTtlMs;
  const maxLeaseMs = options.maxLeaseMs ?? defaultMaxLeaseMs;
  const client = connection.client;
  client.defineCommand('gatehouseLimitAdmit', { numberOfKeys: 6, lua: admitScript });
  client.defineCommand('gatehouseLimitSettle', { lua: settleScript });
  const commands = client as unknown as LimitCommands;
  /** Leases this replica holds in Redis (concurrency slots, budget reservations), renewed while held. */
  const held = new Map<string, { readonly plan: AdmissionPlan; readonly keys: LimitKeys }>();
  const renewal = setInterval(renew, leaseTtlMs / 3);
  renewal.unref();
  /** Settlements that could not be sent while Redis was unreachable, oldest first. */
  const unsent: Settlement[] = [];
  const onReady = () => void replay();
  client.on('ready', onReady);

  function renew() {
    if (held.size === 0 || connection.health().state !== 'up') return;
    const at = now();
    const pipeline = client.pipeline();
    for (const [leaseId, { plan, keys }] of held) {
      if (at - plan.now > maxLeaseMs) {
        held.delete(leaseId);
        continue;
      }
      // XX: never resurrect a lease already settled or expired; GT: never shorten one.
      if (plan.concurrentRequests !== undefined) {
        pipeline.zadd(keys.concurrency, 'XX', 'GT', at + leaseTtlMs, leaseId);
        pipeline.pexpire(keys.concurrency, 2 * leaseTtlMs);
      }
      if (plan.budget !== undefined) {
        pipeline.zadd(keys.reservations, 'XX', 'GT', at + leaseTtlMs, reservationMember(plan));
      }
    }
    // A failed renewal is retried at the next tick; leases expire only after three missed ones.
    pipeline.exec().catch(() => undefined);
  }

  async function admit(plan: AdmissionPlan): Promise<AdmissionOutcome> {
    const keys = limitKeys(plan);
    const budget = plan.budget;
    let reply: number[];
    try {
      reply = await connection.withDeadline(
        commands.gatehouseLimitAdmit(
          keys.requests,
          keys.tokens,
          keys.concurrency,
          keys.global,
          keys.budget,
          keys.reservations,
          plan.now,
          windowMs,
          bucketMs,
          plan.leaseId,
          leaseTtlMs,
          plan.requestsPerMinute ?? 0,
          plan.tokensPerMinute ?? 0,
          plan.estimatedTokens,
          plan.concurrentRequests ?? 0,
          plan.globalRequestsPerMinute ?? 0,
          budget?.limitMicroUsd ?? '',
          budget?.estimateMicroUsd ?? 0,
          budget?.initialSpentMicroUsd ?? '',
          budget === undefined ? 0 : Math.max(1, budget.expiresAt - plan.now),
        ),
      );
    } catch (error) {
      connection.reportFailure(error);
      throw error;
    }
    if (reply[0] === -1) return { type: 'budget_uninitialised' };
    const at = (index: number) => reply[index] ?? -1;
    const admitted = at(0) === 1;
    if (admitted && (plan.concurrentRequests !== undefined || budget !== undefined)) {
      held.set(plan.leaseId, { plan, keys });
    }
    return {
      type: 'decided',
      admitted,
      usage: {
        requests: windowFrom(at(1), at(2), at(3)),
        tokens: windowFrom(at(4), at(5), at(6)),
        global: windowFrom(at(7), at(8), at(9)),
        inFlight: at(10) < 0 ? undefined : at(10),
        budget: at(11) < 0 ? undefined : { spentMicroUsd: at(11), reservedMicroUsd: at(12) },
      },
    };
  }

  /** One script call for all of `settlements` (at most `maxSettlementsPerCall`). */
  function runSettle(settlements: readonly Settlement[]): Promise<number> {
    const keys: string[] = [];
    const values: (string | number)[] = [windowMs, bucketMs];
    for (const settlement of settlements) {
      const { plan } = settlement;
      const planKeys = limitKeys(plan);
      keys.push(planKeys.tokens, planKeys.concurrency, planKeys.budget, planKeys.reservations);
      values.push(
        settlement.now,
        plan.leaseId,
        plan.now,
        plan.estimatedTokens,
        settlement.actualTokens,
        plan.tokensPerMinute === undefined ? 0 : 1,
        plan.budget === undefined ? '' : reservationMember(plan),
        plan.budget?.estimateMicroUsd ?? 0,
        settlement.actualCostMicroUsd,
      );
    }
    return connection.withDeadline(commands.gatehouseLimitSettle(keys.length, ...keys, ...values));
  }

  /**
   * Settlements wait for the end of the event-loop turn and go to Redis together, in order, before
   * any request that arrives later is admitted: a caller that sends its next request once the
   * previous answer arrived finds that request's concurrency slot already released.
   */
  let queued: Settlement[] = [];
  let flush: Promise<void> | undefined;

  function settle(settlement: Settlement): Promise<void> {
    held.delete(settlement.plan.leaseId);
    queued.push(settlement);
    flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const settlements = queued;
      queued = [];
      flush = undefined;
      return sendSettlements(settlements);
    });
    return flush;
  }

  /**
   * Settlements refused while Redis was unreachable are kept (up to a bound) and sent when Redis
   * returns, so that costs of requests finishing during an outage still reach the shared budget.
   * Only those that certainly never left this process: a call that timed out may have run
   * already, and running it twice would count its costs twice.
   */
  async function sendSettlements(settlements: readonly Settlement[]): Promise<void> {
    const calls: Promise<void>[] = [];
    for (let start = 0; start < settlements.length; start += maxSettlementsPerCall) {
      const part = settlements.slice(start, start + maxSettlementsPerCall);
      calls.push(
        runSettle(part).then(
          () => undefined,
          (error: unknown) => {
            connection.reportFailure(error);
            if (!neverSent(error)) throw error;
            unsent.push(...part);
            if (unsent.length > maxUnsent) unsent.splice(0, unsent.length - maxUnsent);
          },
        ),
      );
    }
    await Promise.all(calls);
  }

  async function replay() {
    while (unsent.length > 0 && connection.health().state === 'up') {
      const part = unsent.slice(0, maxSettlementsPerCall);
      try {
        await runSettle(part);
      } catch (error) {
        // Redis went away again (kept for the next return), or refused them (dropped).
        if (neverSent(error)) return;
      }
      unsent.splice(0, part.length);
    }
  }

  return {
    shared: true,
    admit,
    settle,
    unavailable() {
      const health = connection.health();
      if (health.state === 'up') return undefined;
      const state = health.state === 'connecting' ? 'Redis is not connected yet' : 'Redis is unreachable';
      return health.lastError === undefined ? state : `${state} (${health.lastError})`;
    },
    async budgetState(scope, periodStart) {
      const [spent, reserved] = await client.hmget(budgetKey(scope, periodStart), 'spent', 'reserved');
      if (spent === null || spent === undefined) return undefined;
      return { spentMicroUsd: Number(spent), reservedMicroUsd: Number(reserved ?? 0) };
    },
    close() {
      clearInterval(renewal);
      client.off('ready', onReady);
      held.clear();
      return Promise.resolve();
    },
  };
}

/**
 * Every key carries the hash tag `{limits}`, so that in a Redis Cluster they all live in one slot:
 * a script may only touch keys of one slot, and an admission touches the global window, the
 * subject's windows and a team's budget together. (Limits are small; one shard serves them.)
 */
const tag = '{limits}';

function limitKeys(plan: AdmissionPlan): LimitKeys {
  const subject = `${tag}:subject:${plan.subject}`;
  const budget =
    plan.budget === undefined ? `${tag}:budget:none` : budgetKey(plan.budget.scope, plan.budget.periodStart);
  return {
    requests: `${subject}:requests`,
    tokens: `${subject}:tokens`,
    concurrency: `${subject}:concurrency`,
    global: `${tag}:global:requests`,
    budget,
    reservations: `${budget}:reservations`,
  };
}

function budgetKey(scope: string, periodStart: number): string {
  return `${tag}:budget:${scope}:${periodStart}`;
}

function reservationMember(plan: AdmissionPlan): string {
  return `${plan.leaseId}:${plan.budget?.estimateMicroUsd ?? 0}`;
}

function windowFrom(used: number, releaseMs: number, waitMs: number): WindowState | undefined {
  if (used < 0) return undefined;
  return {
    used,
    nextReleaseMs: releaseMs,
    waitMs: waitMs === -1 ? undefined : waitMs === -2 ? Infinity : waitMs,
  };
}

/** ioredis refuses a command at once, unsent, while disconnected (no offline queue). */
function neverSent(error: unknown): boolean {
  return error instanceof Error && error.message.includes('enableOfflineQueue');
}
