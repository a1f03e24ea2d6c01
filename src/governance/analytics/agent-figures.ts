import type { AnomalyReport } from './anomaly.js';
import type { StoredBaseline } from './analytics-store.js';
import { DecisionHistory } from './decision-history.js';
import {
  emptyTally,
  neutralReputation,
  type OutcomeTally,
  type Reputation,
  type ReviewerOutcome,
} from './reputation.js';

/**
 * What this replica knows of one agent (a tenant's actor): its latest decisions, reviewer outcomes,
 * reputation, baseline and anomaly. Decisions read the numbers (`reliability`, `anomalyFactor`);
 * the background work computes them.
 */
export class AgentFigures {
  readonly history: DecisionHistory;
  /** Unix ms of the latest decision or outcome seen: the least recently active are forgotten first. */
  lastActiveAt: number;
  /** Reviewer outcomes from the database as of its last read. */
  storedTally: OutcomeTally = emptyTally;
  /** Outcomes seen in process since that read (resolved here, perhaps not in it yet). */
  localOutcomes: { readonly at: number; readonly outcome: ReviewerOutcome }[] = [];
  reputation: Reputation = {
    score: neutralReputation,
    status: 'neutral',
    reviewed: 0,
    approved: 0,
    denied: 0,
    low: false,
    reliability: 1,
  };
  baseline: StoredBaseline | undefined;
  /** Whether the database was asked for this agent's baseline. */
  baselineLoaded = false;
  anomaly: AnomalyReport = { status: 'no_baseline', score: 0, windowDecisions: 0 };
  anomalyFactor = 1;
  /** Decisions arrived since the anomaly was last scored. */
  dirty = false;
  /** Conditions an alert was raised for, so each is raised once per episode (on this replica). */
  readonly alerted = { reputation: false, anomaly: false };

  constructor(
    readonly tenantId: string,
    readonly actor: string,
    historyCapacity: number,
    now: number,
  ) {
    this.history = new DecisionHistory(historyCapacity);
    this.lastActiveAt = now;
  }
}

/**
 * The agents this replica keeps figures for, by tenant then actor (two lookups and no key string
 * built per decision), at most `maxAgents`: past that, the tenth least recently active are
 * forgotten in one pass, so a stream of new actors costs one scan per tenth of the capacity.
 */
export class AgentRegistry {
  private readonly tenants = new Map<string, Map<string, AgentFigures>>();
  private count = 0;

  constructor(
    private readonly maxAgents: number,
    private readonly historyCapacity: number,
  ) {}

  get size(): number {
    return this.count;
  }

  find(tenantId: string, actor: string): AgentFigures | undefined {
    return this.tenants.get(tenantId)?.get(actor);
  }

  obtain(tenantId: string, actor: string, now: number): AgentFigures {
    let actors = this.tenants.get(tenantId);
    const known = actors?.get(actor);
    if (known !== undefined) return known;
    if (this.count >= this.maxAgents) {
      this.forgetLeastActive();
      actors = this.tenants.get(tenantId);
    }
    if (actors === undefined) {
      actors = new Map();
      this.tenants.set(tenantId, actors);
    }
    const figures = new AgentFigures(tenantId, actor, this.historyCapacity, now);
    actors.set(actor, figures);
    this.count += 1;
    return figures;
  }

  *all(): IterableIterator<AgentFigures> {
    for (const actors of this.tenants.values()) yield* actors.values();
  }

  private forgetLeastActive(): void {
    const byActivity = [...this.all()].sort((first, second) => first.lastActiveAt - second.lastActiveAt);
    const forget = byActivity.slice(0, Math.max(1, Math.floor(this.maxAgents / 10)));
    for (const figures of forget) {
      const actors = this.tenants.get(figures.tenantId);
      actors?.delete(figures.actor);
      if (actors?.size === 0) this.tenants.delete(figures.tenantId);
      this.count -= 1;
    }
  }
}
