/**
 * What routing remembers about each target in this process: requests in flight (least-busy) and a
 * moving average of time to first byte (least-latency). Local by design: latency is what this
 * replica observes, and in-flight counts are this replica's load.
 */
export interface TargetStats {
  started(target: string): void;
  finished(target: string, latencyMs: number | undefined): void;
  inFlight(target: string): number;
  /** Undefined until the target has answered once. */
  latencyMs(target: string): number | undefined;
}

/** Weight of the newest sample in the moving average. */
const smoothing = 0.2;

/**
 * Targets whose latency is remembered at most. A target's model can be a caller's choice (an
 * implicit `provider/model` route), so the map is bounded; past the bound the target first
 * remembered is forgotten (it starts again as "never answered").
 */
export const rememberedLatencies = 1_000;

export function createTargetStats(): TargetStats {
  // Only targets with requests in flight have an entry, so its size is bounded by concurrency.
  const inFlight = new Map<string, number>();
  const latency = new Map<string, number>();
  return {
    started(target) {
      inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
    },
    finished(target, latencyMs) {
      const remaining = (inFlight.get(target) ?? 1) - 1;
      if (remaining > 0) inFlight.set(target, remaining);
      else inFlight.delete(target);
      if (latencyMs === undefined) return;
      const previous = latency.get(target);
      if (previous === undefined && latency.size >= rememberedLatencies) {
        const oldest = latency.keys().next();
        if (oldest.done !== true) latency.delete(oldest.value);
      }
      latency.set(target, previous === undefined ? latencyMs : previous + smoothing * (latencyMs - previous));
    },
    inFlight: (target) => inFlight.get(target) ?? 0,
    latencyMs: (target) => latency.get(target),
  };
}
