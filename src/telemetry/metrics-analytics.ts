import type { LabelGuard } from './metrics-label-guard.js';

/**
 * Analytics' figures as its gauges read them (metrics-definitions.ts defines the gauges): labels
 * bounded first, several agents folded into one label showing the worst.
 */

/** Analytics' figures as it keeps them: one entry per agent (of any tenant) and per policy. */
export interface AnalyticsFigures {
  readonly agents: Iterable<{
    readonly agent: string;
    readonly reputation: number;
    /** Undefined with anomaly detection off. */
    readonly anomaly: number | undefined;
  }>;
  readonly policies: Iterable<{ readonly policy: string; readonly effectiveness: number }>;
}

/** Per agent and per policy, as the gauges show them (several agents folded into one label: the worst). */
export interface AnalyticsReading {
  readonly agents: ReadonlyMap<string, { readonly reputation: number; readonly anomaly: number | undefined }>;
  readonly policies: ReadonlyMap<string, number>;
}

/**
 * Analytics' figures under bounded labels: agents beyond the label budget share `other`, which
 * shows the worst of them (the lowest reputation, the highest anomaly, the lowest effectiveness),
 * so an alert on the gauge still fires for an agent folded away.
 */
export function boundedReading(
  figures: AnalyticsFigures,
  agents: LabelGuard,
  policies: LabelGuard,
): AnalyticsReading {
  const byAgent = new Map<string, { reputation: number; anomaly: number | undefined }>();
  for (const { agent, reputation, anomaly } of figures.agents) {
    const label = agents.value(agent);
    const known = byAgent.get(label);
    byAgent.set(
      label,
      known === undefined
        ? { reputation, anomaly }
        : {
            reputation: Math.min(known.reputation, reputation),
            anomaly: anomaly === undefined ? known.anomaly : Math.max(known.anomaly ?? 0, anomaly),
          },
    );
  }
  const byPolicy = new Map<string, number>();
  for (const { policy, effectiveness } of figures.policies) {
    const label = policies.value(policy);
    byPolicy.set(label, Math.min(byPolicy.get(label) ?? 1, effectiveness));
  }
  return { agents: byAgent, policies: byPolicy };
}
