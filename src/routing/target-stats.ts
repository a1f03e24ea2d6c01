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

export function createTargetStats(): TargetStats {
  const inFlight = new Map<string, number>();
  const latency = new Map<string, number>();
  return {
    started(target) {
      inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
    },
    finished(target, latencyMs) {
      inFlight.set(target, Math.max(0, (inFlight.get(target) ?? 1) - 1));
      if (latencyMs === undefined) return;
      const previous = latency.get(target);
      latency.set(target, previous === undefined ? latencyMs : previous + smoothing * (latencyMs - previous));
    },
    inFlight: (target) => inFlight.get(target) ?? 0,
    latencyMs: (target) => latency.get(target),
  };
}
