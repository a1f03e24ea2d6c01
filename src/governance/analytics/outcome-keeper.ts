import { expiredResolver } from '../review/index.js';
import type { AgentFigures, AgentRegistry } from './agent-figures.js';
import type { AnalyticsSettings } from './analytics-settings.js';
import type { AnalyticsStore } from './analytics-store.js';
import { effectivenessOf, type PolicyEffectiveness } from './policy-effectiveness.js';
import {
  addOutcome,
  emptyTally,
  reputationOf,
  type OutcomeTally,
  type ReviewerOutcome,
} from './reputation.js';

/**
 * Reviewer outcomes, per agent (reputation) and per policy (effectiveness). The database is read
 * whole on every sync (the outcomes of the last eight half-lives, counted per time bucket, so the
 * rows are few however many reviews there were: people resolve reviews, not machines), which
 * replaces what was known. The read stops at a cutoff a few seconds before it starts, and outcomes
 * resolved on this replica count in memory from their resolution until the cutoff passes them:
 * split by resolution time, no outcome is counted twice, and none is missed because its
 * transaction committed just after the read.
 */

/** What analytics needs of a resolved review (the review queue's item satisfies it). */
export interface ResolvedReview {
  readonly tenantId: string;
  readonly actor: string;
  readonly status: 'pending' | 'approved' | 'denied';
  readonly resolvedAt: number | undefined;
  readonly resolvedBy: string | undefined;
  readonly resolverKeyId: string | undefined;
  /** The permits that let the reviewed decision through. */
  readonly policyIds: readonly string[];
}

export interface PolicyFigures {
  readonly policyId: string;
  storedTally: OutcomeTally;
  localOutcomes: { readonly at: number; readonly outcome: ReviewerOutcome }[];
  effectiveness: PolicyEffectiveness;
  /** An alert was raised for this low stretch (on this replica). */
  alerted: boolean;
}

export interface OutcomeKeeper {
  reviewResolved(review: ResolvedReview): void;
  sync(): Promise<void>;
  readonly policies: ReadonlyMap<string, PolicyFigures>;
}

/** Policies tracked at most: ids come from the policy text, but old versions' ids linger in reviews. */
const maxPolicies = 1_000;
/** Outcomes older than this many half-lives weigh under 0.4 %: not read. */
const horizonHalfLives = 8;
/** How long before a read its cutoff lies: longer than a resolution takes from its time to its commit. */
const commitLagMs = 5_000;

export interface OutcomeKeeperDependencies {
  readonly settings: AnalyticsSettings;
  readonly registry: AgentRegistry;
  readonly store: AnalyticsStore;
  readonly now: () => number;
}

/** An expiry is nobody's judgement: neither right nor wrong. */
function outcomeOf(review: ResolvedReview): ReviewerOutcome | undefined {
  if (review.status === 'pending') return undefined;
  const expired =
    review.status === 'denied' && review.resolverKeyId === undefined && review.resolvedBy === expiredResolver;
  return expired ? undefined : review.status;
}

function withLocal(
  stored: OutcomeTally,
  local: readonly { readonly at: number; readonly outcome: ReviewerOutcome }[],
  now: number,
  halfLifeMs: number,
): OutcomeTally {
  let tally = stored;
  for (const { at, outcome } of local) tally = addOutcome(tally, outcome, at, 1, now, halfLifeMs);
  return tally;
}

export function createOutcomeKeeper(dependencies: OutcomeKeeperDependencies): OutcomeKeeper {
  const { settings, registry, store, now } = dependencies;
  const { halfLifeMs } = settings.reputation;
  const policies = new Map<string, PolicyFigures>();

  const rescoreAgent = (figures: AgentFigures, at: number): void => {
    const tally = withLocal(figures.storedTally, figures.localOutcomes, at, halfLifeMs);
    figures.reputation = reputationOf(tally, settings.reputation);
  };
  const rescorePolicy = (figures: PolicyFigures, at: number): void => {
    const tally = withLocal(figures.storedTally, figures.localOutcomes, at, halfLifeMs);
    figures.effectiveness = effectivenessOf(tally, settings.policy);
  };

  function policyFigures(policyId: string): PolicyFigures | undefined {
    const known = policies.get(policyId);
    if (known !== undefined || policies.size >= maxPolicies) return known;
    const created: PolicyFigures = {
      policyId,
      storedTally: emptyTally,
      localOutcomes: [],
      effectiveness: effectivenessOf(emptyTally, settings.policy),
      alerted: false,
    };
    policies.set(policyId, created);
    return created;
  }

  async function syncAgents(
    startedAt: number,
    since: number,
    until: number,
    bucketMs: number,
  ): Promise<void> {
    const rows = await store.agentOutcomes(since, until, bucketMs);
    const tallies = new Map<AgentFigures, OutcomeTally>();
    for (const row of rows) {
      const figures = registry.obtain(row.tenantId, row.actor, row.at);
      const tally = tallies.get(figures) ?? emptyTally;
      tallies.set(figures, addOutcome(tally, row.outcome, row.at, row.count, startedAt, halfLifeMs));
    }
    for (const figures of registry.all()) {
      figures.storedTally = tallies.get(figures) ?? emptyTally;
      figures.localOutcomes = figures.localOutcomes.filter(({ at }) => at >= until);
      rescoreAgent(figures, startedAt);
    }
  }

  async function syncPolicies(
    startedAt: number,
    since: number,
    until: number,
    bucketMs: number,
  ): Promise<void> {
    const rows = await store.policyOutcomes(since, until, bucketMs);
    const tallies = new Map<PolicyFigures, OutcomeTally>();
    for (const row of rows) {
      for (const policyId of new Set(row.policyIds)) {
        const figures = policyFigures(policyId);
        if (figures === undefined) continue;
        const tally = tallies.get(figures) ?? emptyTally;
        tallies.set(figures, addOutcome(tally, row.outcome, row.at, row.count, startedAt, halfLifeMs));
      }
    }
    for (const figures of policies.values()) {
      figures.storedTally = tallies.get(figures) ?? emptyTally;
      figures.localOutcomes = figures.localOutcomes.filter(({ at }) => at >= until);
      rescorePolicy(figures, startedAt);
    }
  }

  return {
    policies,
    reviewResolved(review) {
      const outcome = outcomeOf(review);
      if (outcome === undefined) return;
      const at = review.resolvedAt ?? now();
      const agent = registry.obtain(review.tenantId, review.actor, at);
      agent.localOutcomes.push({ at, outcome });
      agent.lastActiveAt = Math.max(agent.lastActiveAt, at);
      rescoreAgent(agent, at);
      for (const policyId of new Set(review.policyIds)) {
        const figures = policyFigures(policyId);
        if (figures === undefined) continue;
        figures.localOutcomes.push({ at, outcome });
        rescorePolicy(figures, at);
      }
    },
    async sync() {
      const startedAt = now();
      const since = startedAt - horizonHalfLives * halfLifeMs;
      // Buckets of 1/32 half-life weigh each outcome within about 1 % of its own time's weight.
      const bucketMs = Math.max(60_000, Math.floor(halfLifeMs / 32));
      const until = startedAt - commitLagMs;
      await syncAgents(startedAt, since, until, bucketMs);
      await syncPolicies(startedAt, since, until, bucketMs);
    },
  };
}
