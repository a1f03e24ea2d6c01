import { z } from 'zod';
import { durationBetween as durationSetting } from './duration.js';

/**
 * `governance.analytics`: behavioural analytics of agents from the decision and review history
 * (docs/governance.md, "Analytics"). Lelu documents REPUTATION_LOW_THRESHOLD,
 * REPUTATION_MIN_DECISIONS, ANOMALY_DETECTION_ENABLED, ANOMALY_SEVERITY_THRESHOLD,
 * ANOMALY_WINDOW_SIZE, BASELINE_SAMPLE_SIZE, BASELINE_REFRESH_INTERVAL and
 * POLICY_OPTIMIZATION_THRESHOLD and hard-codes their defaults; here each is read, and tested.
 */

const dayMs = 86_400_000;

/** A duration setting of this section, in milliseconds. */
function durationBetween(shortestMs: number, longestMs: number, range: string) {
  return durationSetting(shortestMs, longestMs, range, '500ms, 30s, 24h or 30d');
}

const unitInterval = z.number().min(0).max(1);

/** Reputation, anomalies and policy effectiveness; governance-schema.ts adds the models' keys. */
export const analyticsObject = z.strictObject({
  /** How often each replica reads the decision and review history from the database. */
  sync_interval: durationBetween(100, 3_600_000, '100ms and 1h').prefault('10s'),
  /** Agents whose figures are kept in memory; the least recently active are forgotten first. */
  max_agents: z.number().int().min(1).max(1_000_000).default(5_000),
  reputation: z
    .strictObject({
      /** Below it, reputation lowers the agent's reliability in risk and raises an alert. */
      low_threshold: unitInterval.default(0.5),
      /** Reviewer outcomes needed before a reputation leaves the neutral 0.5. */
      min_decisions: z.number().int().min(1).max(1_000_000).default(10),
      /** An outcome counts half as much after this long. */
      half_life: durationBetween(60_000, 3_650 * dayMs, '1m and 3650d').prefault('30d'),
    })
    .prefault({}),
  anomaly: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** At or above it, an agent's anomaly raises an alert. */
      severity_threshold: unitInterval.default(0.7),
      /** The most recent decisions scored against the baseline. */
      window_size: z.number().int().min(10).max(10_000).default(100),
      /** Decisions an agent's baseline is made of. */
      baseline_sample_size: z.number().int().min(10).max(10_000).default(100),
      /** How often a baseline is re-made from the agent's latest decisions. */
      baseline_refresh_interval: durationBetween(1_000, 3_650 * dayMs, '1s and 3650d').prefault('24h'),
    })
    .prefault({}),
  policy: z
    .strictObject({
      /** A policy whose decisions reviewers uphold less often than this is flagged, with an alert. */
      optimization_threshold: unitInterval.default(0.5),
      /** Reviewer outcomes needed before a policy's effectiveness is reported. */
      min_reviews: z.number().int().min(1).max(1_000_000).default(10),
    })
    .prefault({}),
});
