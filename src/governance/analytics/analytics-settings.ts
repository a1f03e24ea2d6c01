/**
 * Analytics settings, as the configuration's `governance.analytics` section gives them (declared
 * structurally: governance does not import config/). Durations are milliseconds: the schema
 * converts `24h` and the like.
 */
export interface AnalyticsConfigSection {
  readonly sync_interval: number;
  readonly max_agents: number;
  readonly reputation: {
    readonly low_threshold: number;
    readonly min_decisions: number;
    readonly half_life: number;
  };
  readonly anomaly: {
    readonly enabled: boolean;
    readonly severity_threshold: number;
    readonly window_size: number;
    readonly baseline_sample_size: number;
    readonly baseline_refresh_interval: number;
  };
  readonly policy: {
    readonly optimization_threshold: number;
    readonly min_reviews: number;
  };
}

export interface ReputationSettings {
  /** Below it (once scored), reputation is the agent's reliability in risk, and an alert (`REPUTATION_LOW_THRESHOLD`). */
  readonly lowThreshold: number;
  /** Reviewer outcomes before a reputation leaves the neutral 0.5 (`REPUTATION_MIN_DECISIONS`). */
  readonly minDecisions: number;
  /** An outcome weighs half as much after this long. */
  readonly halfLifeMs: number;
}

export interface AnomalySettings {
  /** `ANOMALY_DETECTION_ENABLED`: off, no baselines, no scores, no alerts, anomaly factor 1. */
  readonly enabled: boolean;
  /** `ANOMALY_SEVERITY_THRESHOLD`: at or above it, an alert. */
  readonly severityThreshold: number;
  /** `ANOMALY_WINDOW_SIZE`: the latest decisions (after the baseline) that are scored. */
  readonly windowSize: number;
  /** `BASELINE_SAMPLE_SIZE`: decisions a baseline is made of. */
  readonly baselineSampleSize: number;
  /** `BASELINE_REFRESH_INTERVAL`: how old a baseline may get before it is re-made. */
  readonly baselineRefreshMs: number;
}

export interface PolicyEffectivenessSettings {
  /** `POLICY_OPTIMIZATION_THRESHOLD`: effectiveness under which a policy is flagged for review. */
  readonly optimizationThreshold: number;
  /** Reviewer outcomes before a policy's effectiveness is reported. */
  readonly minReviews: number;
}

export interface AnalyticsSettings {
  /** How often each replica reads the history from the database. */
  readonly syncIntervalMs: number;
  /** Agents whose figures are kept in memory (the least recently active are forgotten first). */
  readonly maxAgents: number;
  readonly reputation: ReputationSettings;
  readonly anomaly: AnomalySettings;
  readonly policy: PolicyEffectivenessSettings;
}

export function analyticsSettingsFrom(section: AnalyticsConfigSection): AnalyticsSettings {
  return Object.freeze({
    syncIntervalMs: section.sync_interval,
    maxAgents: section.max_agents,
    reputation: Object.freeze({
      lowThreshold: section.reputation.low_threshold,
      minDecisions: section.reputation.min_decisions,
      halfLifeMs: section.reputation.half_life,
    }),
    anomaly: Object.freeze({
      enabled: section.anomaly.enabled,
      severityThreshold: section.anomaly.severity_threshold,
      windowSize: section.anomaly.window_size,
      baselineSampleSize: section.anomaly.baseline_sample_size,
      baselineRefreshMs: section.anomaly.baseline_refresh_interval,
    }),
    policy: Object.freeze({
      optimizationThreshold: section.policy.optimization_threshold,
      minReviews: section.policy.min_reviews,
    }),
  });
}

/** An empty `governance.analytics:` section as the schema fills it in (Lelu's documented defaults). */
export const defaultAnalyticsSection: AnalyticsConfigSection = {
  sync_interval: 10_000,
  max_agents: 5_000,
  reputation: { low_threshold: 0.5, min_decisions: 10, half_life: 30 * 86_400_000 },
  anomaly: {
    enabled: true,
    severity_threshold: 0.7,
    window_size: 100,
    baseline_sample_size: 100,
    baseline_refresh_interval: 86_400_000,
  },
  policy: { optimization_threshold: 0.5, min_reviews: 10 },
};
