import type { AgentRegistry } from './agent-figures.js';
import type { AnalyticsStore, HistoryDecision } from './analytics-store.js';
import { recordIdWriter } from '../../durable/index.js';
import type { DecisionKind } from '../contract.js';

/**
 * Keeps each agent's latest decisions: those made on this replica at once (so its figures move
 * between reads), and every other replica's from the audit log, read in chain order from where the
 * last read stopped. A record whose event id this process wrote (its writer part) is one of its
 * own decisions, counted already, and skipped: no per-decision bookkeeping. Without the audit log
 * (`audit.enabled: false`) only this replica's decisions are known.
 */
export interface HistoryFollower {
  /** A decision made on this replica: a few writes into typed arrays, nothing awaited. */
  decided(
    tenantId: string,
    actor: string,
    time: number,
    action: string,
    decision: DecisionKind,
    confidence: number | undefined,
  ): void;
  /** The latest decisions of every replica, once, at start. */
  seed(): Promise<void>;
  /** Decisions appended to the log since the last read. */
  follow(): Promise<void>;
}

export interface HistoryFollowerDependencies {
  readonly registry: AgentRegistry;
  readonly store: AnalyticsStore;
  /** The writer part of this process's audit event ids; undefined with the audit log off. */
  readonly auditWriter: string | undefined;
  /** Audit records read at start: enough for the windows of the busiest agents. */
  readonly seedRecords: number;
  /** Records per read while following. */
  readonly pageRecords: number;
  /** Reads per `follow()` at most, so one call ends even behind a log that grows fast. */
  readonly pagesPerFollow: number;
}

export function createHistoryFollower(dependencies: HistoryFollowerDependencies): HistoryFollower {
  const { registry, store, auditWriter } = dependencies;
  let lastSeq = 0;

  function apply(decision: HistoryDecision): void {
    if (recordIdWriter(decision.eventId) === auditWriter) return;
    const figures = registry.obtain(decision.tenantId, decision.actor, decision.time);
    figures.history.record(decision.time, decision.action, decision.decision, decision.confidence);
    figures.lastActiveAt = Math.max(figures.lastActiveAt, decision.time);
    figures.dirty = true;
  }

  return {
    decided(tenantId, actor, time, action, decision, confidence) {
      const figures = registry.obtain(tenantId, actor, time);
      figures.history.record(time, action, decision, confidence);
      figures.lastActiveAt = time;
      figures.dirty = true;
    },
    async seed() {
      if (auditWriter === undefined) return;
      const page = await store.latestDecisions(dependencies.seedRecords);
      for (const decision of page.decisions) apply(decision);
      lastSeq = Math.max(lastSeq, page.lastSeq);
    },
    async follow() {
      if (auditWriter === undefined) return;
      for (let read = 0; read < dependencies.pagesPerFollow; read += 1) {
        const page = await store.decisionsAfter(lastSeq, dependencies.pageRecords);
        for (const decision of page.decisions) apply(decision);
        lastSeq = Math.max(lastSeq, page.lastSeq);
        if (!page.more) return;
      }
    },
  };
}
