export interface BreakerSettings {
  /** Failure rate over the window at or above which the breaker opens. */
  readonly failureRate: number;
  /** No verdict on fewer requests than this in the window. */
  readonly minimumRequests: number;
  readonly windowMs: number;
  /**
   * The first open period: how long a breaker that opens refuses traffic before letting probes
   * through. Each consecutive re-open lengthens it by this much (Envoy's outlier detection: base
   * ejection time × consecutive ejections), up to `maxOpenMs`.
   */
  readonly openMs: number;
  /** The longest open period, however often the target failed; below `openMs` it means no growth. */
  readonly maxOpenMs: number;
  /** Probes allowed at once while half-open. */
  readonly halfOpenProbes: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export type Admission =
  | { readonly admitted: true; readonly probe: boolean }
  | { readonly admitted: false; readonly state: 'open' | 'half-open' };

export interface BreakerSnapshot {
  readonly target: string;
  readonly state: BreakerState;
  readonly requests: number;
  readonly failures: number;
  /** Unix milliseconds at which an open breaker starts probing. */
  readonly retryAt: number | undefined;
}

/** A transition one replica made, for the others to follow (shared through Redis when configured). */
export interface BreakerTransition {
  readonly target: string;
  readonly state: 'open' | 'closed';
  /** For `open`: when probing may start. */
  readonly retryAt?: number;
  /** For `open`: consecutive opens so far, so that a follower's own next re-open grows from there. */
  readonly opens?: number;
}

export interface BreakerChannel {
  publish(transition: BreakerTransition): void;
  subscribe(listener: (transition: BreakerTransition) => void): void;
}

export interface CircuitBreakers {
  admit(target: string): Admission;
  record(target: string, success: boolean, probe: boolean): void;
  snapshot(): readonly BreakerSnapshot[];
  /** Called with every state change (metrics, logs). */
  onChange(listener: (target: string, state: BreakerState) => void): void;
}

const bucketCount = 10;

/**
 * Breakers kept at most. A target's model can be a caller's choice (an implicit `provider/model`
 * route), so the map is bounded: past the bound the oldest closed breaker without a probe in
 * flight is forgotten (it only held counts of a window), and open ones are kept.
 */
export const rememberedBreakers = 1_000;

interface Breaker {
  state: BreakerState;
  retryAt: number;
  probesInFlight: number;
  /** Consecutive opens: the multiplier of the open period. */
  opens: number;
  /** When the breaker last closed; each `openMs` it then stays closed forgives one open. */
  closedAt: number;
  /** Ring of per-bucket counts covering the window. */
  readonly requests: number[];
  readonly failures: number[];
  bucketStart: number;
  bucketIndex: number;
}

/**
 * Per-target circuit breakers over a sliding window of buckets. Closed: traffic flows and outcomes
 * are counted; when the failure rate reaches the threshold (with enough requests) it opens. Open:
 * the target is skipped for the open period (`openMs` × consecutive opens, capped at `maxOpenMs`). Half-open: up to `halfOpenProbes` requests probe it;
 * a success closes it, a failure opens it again. Transitions are published on the channel so that
 * every replica follows the one that saw the failures.
 */
export function createCircuitBreakers(
  settings: BreakerSettings,
  channel: BreakerChannel | undefined,
  now: () => number = Date.now,
): CircuitBreakers {
  const breakers = new Map<string, Breaker>();
  const listeners: ((target: string, state: BreakerState) => void)[] = [];
  const bucketMs = settings.windowMs / bucketCount;

  function breakerOf(target: string): Breaker {
    let breaker = breakers.get(target);
    if (breaker === undefined) {
      breaker = {
        state: 'closed',
        retryAt: 0,
        probesInFlight: 0,
        opens: 0,
        closedAt: now(),
        requests: new Array<number>(bucketCount).fill(0),
        failures: new Array<number>(bucketCount).fill(0),
        bucketStart: now(),
        bucketIndex: 0,
      };
      if (breakers.size >= rememberedBreakers) forgetOne();
      breakers.set(target, breaker);
    }
    return breaker;
  }

  function forgetOne(): void {
    for (const [target, breaker] of breakers) {
      if (breaker.state === 'closed' && breaker.probesInFlight === 0) {
        breakers.delete(target);
        return;
      }
    }
    const oldest = breakers.keys().next();
    if (oldest.done !== true) breakers.delete(oldest.value);
  }

  function advance(breaker: Breaker, time: number): void {
    const elapsed = Math.floor((time - breaker.bucketStart) / bucketMs);
    if (elapsed <= 0) return;
    for (let step = 0; step < Math.min(elapsed, bucketCount); step += 1) {
      breaker.bucketIndex = (breaker.bucketIndex + 1) % bucketCount;
      breaker.requests[breaker.bucketIndex] = 0;
      breaker.failures[breaker.bucketIndex] = 0;
    }
    breaker.bucketStart += elapsed * bucketMs;
  }

  function setState(target: string, breaker: Breaker, state: BreakerState, publish: boolean): void {
    if (breaker.state === state) return;
    breaker.state = state;
    breaker.probesInFlight = 0;
    if (state === 'closed') {
      breaker.requests.fill(0);
      breaker.failures.fill(0);
      breaker.closedAt = now();
    }
    for (const listener of listeners) listener(target, state);
    if (publish && state !== 'half-open') {
      channel?.publish(
        state === 'open'
          ? { target, state, retryAt: breaker.retryAt, opens: breaker.opens }
          : { target, state },
      );
    }
  }

  /**
   * Opens the breaker for `openMs` × consecutive opens (capped). A breaker opening from closed first
   * forgives one open per `openMs` it stayed closed (as Envoy decrements its ejection multiplier
   * while a host stays healthy), so a target that recovered for good starts again from the short period
   * and one that flaps keeps a long one.
   */
  function open(target: string, breaker: Breaker, time: number): void {
    if (breaker.state === 'closed') {
      const forgiven = Math.floor((time - breaker.closedAt) / settings.openMs);
      breaker.opens = Math.max(0, breaker.opens - forgiven);
    }
    breaker.opens += 1;
    breaker.retryAt = time + openPeriod(breaker.opens);
    setState(target, breaker, 'open', true);
  }

  function openPeriod(opens: number): number {
    return Math.min(settings.openMs * opens, Math.max(settings.maxOpenMs, settings.openMs));
  }

  channel?.subscribe((transition) => {
    const breaker = breakerOf(transition.target);
    if (transition.state === 'open') {
      // A publisher that sends no count (an older replica) counts as one more open.
      breaker.opens = Math.max(breaker.opens, transition.opens ?? breaker.opens + 1);
      breaker.retryAt = Math.max(breaker.retryAt, transition.retryAt ?? now() + openPeriod(breaker.opens));
      setState(transition.target, breaker, 'open', false);
    } else {
      setState(transition.target, breaker, 'closed', false);
    }
  });

  return {
    admit(target) {
      const breaker = breakerOf(target);
      if (breaker.state === 'closed') return { admitted: true, probe: false };
      if (breaker.state === 'open') {
        if (now() < breaker.retryAt) return { admitted: false, state: 'open' };
        setState(target, breaker, 'half-open', false);
      }
      if (breaker.probesInFlight >= settings.halfOpenProbes) return { admitted: false, state: 'half-open' };
      breaker.probesInFlight += 1;
      return { admitted: true, probe: true };
    },
    record(target, success, probe) {
      const breaker = breakerOf(target);
      const time = now();
      if (probe || breaker.state === 'half-open') {
        if (probe) breaker.probesInFlight = Math.max(0, breaker.probesInFlight - 1);
        if (success) setState(target, breaker, 'closed', true);
        else open(target, breaker, time);
        return;
      }
      if (breaker.state !== 'closed') return;
      advance(breaker, time);
      breaker.requests[breaker.bucketIndex] = (breaker.requests[breaker.bucketIndex] ?? 0) + 1;
      if (!success) breaker.failures[breaker.bucketIndex] = (breaker.failures[breaker.bucketIndex] ?? 0) + 1;
      const requests = sum(breaker.requests);
      if (requests >= settings.minimumRequests && sum(breaker.failures) / requests >= settings.failureRate) {
        open(target, breaker, time);
      }
    },
    snapshot() {
      const time = now();
      return [...breakers].map(([target, breaker]) => {
        advance(breaker, time);
        return {
          target,
          state: breaker.state,
          requests: sum(breaker.requests),
          failures: sum(breaker.failures),
          retryAt: breaker.state === 'open' ? breaker.retryAt : undefined,
        };
      });
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
