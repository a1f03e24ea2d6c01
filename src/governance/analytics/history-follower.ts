import type { AgentRegistry } from './agent-figures.js';
import type { AnalyticsStore, HistoryDecision } from './analytics-store.js';
import type { DecisionKind } from '../contract.js';

/**
 * Keeps each agent's latest decisions: those made on this replica at once (so its figures move
 * between reads), and every replica's from the audit log, read in chain order from where the last
 * read stopped. A decision recorded here is remembered by trace id until the log gives it back,
 * and then not counted twice. Without the audit log (`audit.enabled: false`) only this replica's
 * decisions are known.
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
    traceId: string,
  ): void;
  /** The latest decisions of every replica, once, at start. */
  seed(): Promise<void>;
  /** Decisions appended to the log since the last read. */
  follow(): Promise<void>;
}

export interface HistoryFollowerDependencies {
  readonly registry: AgentRegistry;
  readonly store: AnalyticsStore;
  /** Whether decisions are in the audit log (it is enabled). */
  readonly fromAuditLog: boolean;
  /** Audit records read at start: enough for the windows of the busiest agents. */
  readonly seedRecords: number;
  /** Records per read while following. */
  readonly pageRecords: number;
  /** Reads per `follow()` at most, so one call ends even behind a log that grows fast. */
  readonly pagesPerFollow: number;
}

/** Trace ids awaited from the log per agent at most; past it (the log is far behind) the oldest go. */
const unconfirmedPerHistorySlot = 4;

export function createHistoryFollower(dependencies: HistoryFollowerDependencies): HistoryFollower {
  const { registry, store, fromAuditLog } = dependencies;
  let lastSeq = 0;

  function apply(decision: HistoryDecision): void {
    const figures = registry.obtain(decision.tenantId, decision.actor, decision.time);
    if (figures.unconfirmed.delete(decision.traceId)) return;
    figures.history.record(decision.time, decision.action, decision.decision, decision.confidence);
    figures.lastActiveAt = Math.max(figures.lastActiveAt, decision.time);
    figures.dirty = true;
  }

  return {
    decided(tenantId, actor, time, action, decision, confidence, traceId) {
      const figures = registry.obtain(tenantId, actor, time);
      figures.history.record(time, action, decision, confidence);
      figures.lastActiveAt = time;
      figures.dirty = true;
      if (!fromAuditLog) return;
      figures.unconfirmed.add(traceId);
      if (figures.unconfirmed.size > figures.history.capacity * unconfirmedPerHistorySlot) {
        const oldest = figures.unconfirmed.values().next();
        if (oldest.done !== true) figures.unconfirmed.delete(oldest.value);
      }
    },
    async seed() {
      if (!fromAuditLog) return;
      const page = await store.latestDecisions(dependencies.seedRecords);
      for (const decision of page.decisions) apply(decision);
      lastSeq = Math.max(lastSeq, page.lastSeq);
    },
    async follow() {
      if (!fromAuditLog) return;
      for (let read = 0; read < dependencies.pagesPerFollow; read += 1) {
        const page = await store.decisionsAfter(lastSeq, dependencies.pageRecords);
        for (const decision of page.decisions) apply(decision);
        lastSeq = Math.max(lastSeq, page.lastSeq);
        if (!page.more) return;
      }
    },
  };
}
