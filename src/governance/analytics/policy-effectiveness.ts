import type { PolicyEffectivenessSettings } from './analytics-settings.js';
import type { OutcomeTally } from './reputation.js';

/**
 * Policy effectiveness: how often reviewers upheld the decisions a policy made. A decision goes to
 * review only when nothing denied it, so the policies named by a reviewed decision are the
 * permits that let it through (with `allow`, `read_only` or `human_review`); a reviewer who
 * approves the action upholds them, one who denies it overturns them (the permit was wider than
 * people wanted). Expired reviews count for nothing. Below POLICY_OPTIMIZATION_THRESHOLD a policy
 * is flagged for review: tighten it, or split the cases reviewers deny into a `forbid`.
 */
export interface PolicyEffectiveness {
  /** Decayed share of its reviewed decisions that reviewers approved; undefined below `minReviews`. */
  readonly effectiveness: number | undefined;
  readonly reviewed: number;
  readonly upheld: number;
  readonly overturned: number;
  /** Reported and below the optimization threshold. */
  readonly flagged: boolean;
}

export function effectivenessOf(
  tally: OutcomeTally,
  settings: PolicyEffectivenessSettings,
): PolicyEffectiveness {
  const reviewed = tally.approved + tally.denied;
  const weight = tally.approvedWeight + tally.deniedWeight;
  const effectiveness =
    reviewed >= settings.minReviews && weight > 0 ? tally.approvedWeight / weight : undefined;
  return {
    effectiveness,
    reviewed,
    upheld: tally.approved,
    overturned: tally.denied,
    flagged: effectiveness !== undefined && effectiveness < settings.optimizationThreshold,
  };
}
