import type { AgentSignals } from '../decisions/agent-signals.js';
import type { DecisionEvent } from '../events.js';
import { AgentRegistry, type AgentFigures } from './agent-figures.js';
import { createAlertRaiser } from './alert-raiser.js';
import type { AlertRecord, AlertStore } from './alerts.js';
import type { AnalyticsSettings } from './analytics-settings.js';
import type { AnalyticsStore } from './analytics-store.js';
import { anomalyFactorOf, scoreAnomaly } from './anomaly.js';
import { createBaselineKeeper, type RefreshOutcome } from './baseline-keeper.js';
import { summarise } from './behaviour.js';
import { createHistoryFollower } from './history-follower.js';
import { createOutcomeKeeper, type PolicyFigures, type ResolvedReview } from './outcome-keeper.js';

/**
 * Behavioural analytics (docs/governance.md, "Analytics"): per agent a reputation from reviewer
 * outcomes and an anomaly score against its own baseline, per policy its effectiveness, and
 * alerts. Decisions never wait on it: they read two numbers per agent from memory (`signals`);
 * recording a decision made here is a few writes into typed arrays; everything else — reading the
 * database, scoring, baselines, alerts — runs in the background, a pass a second, the database
 * read every `sync_interval`.
 */
export interface Analytics {
  /** Reliability and anomaly factor for the risk score, from memory. */
  readonly signals: AgentSignals;
  /** A decision made on this replica (the decision events' hook). */
  decided(event: DecisionEvent): void;
  /** A review resolved on this replica (the review events' hook). */
  reviewResolved(review: ResolvedReview): void;
  /** Reads the latest history, then runs in the background until closed. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** One background pass now (with a database read): for `POST …/refresh` and tests. */
  runPass(): Promise<void>;
  /** An agent's figures, scored up to date; undefined when unknown here. */
  agent(tenantId: string, actor: string): AgentFigures | undefined;
  /** Every agent known here (at most `max_agents`), of one tenant when given, scored. */
  agents(tenantId?: string): readonly AgentFigures[];
  /** Remakes an agent's baseline from its latest decisions; undefined when the agent is unknown. */
  refreshBaseline(tenantId: string, actor: string): Promise<RefreshOutcome | undefined>;
  readonly policies: ReadonlyMap<string, PolicyFigures>;
  readonly alerts: AlertStore;
  readonly settings: AnalyticsSettings;
}

export interface AnalyticsDependencies {
  readonly settings: AnalyticsSettings;
  readonly store: AnalyticsStore;
  readonly alerts: AlertStore;
  /**
   * The writer part of this process's audit event ids (`audit.enabled`): then every other
   * replica's decisions are read from the log. Undefined with the audit log off.
   */
  readonly auditWriter: string | undefined;
  /** Tells people of a new alert (the notification channels). */
  readonly notify: (alert: AlertRecord) => void;
  readonly now: () => number;
  readonly newId: () => string;
  readonly onError: (error: unknown, message: string) => void;
  /** Between background passes; default 1 s. */
  readonly passIntervalMs?: number;
}

/** Audit records read at start (about 1 MB of rows, read once). */
const seedRecords = 10_000;

export function createAnalytics(dependencies: AnalyticsDependencies): Analytics {
  const { settings, store, now, onError } = dependencies;
  const anomalyOn = settings.anomaly.enabled;
  const capacity = Math.max(settings.anomaly.baselineSampleSize, settings.anomaly.windowSize);
  const registry = new AgentRegistry(settings.maxAgents, capacity);
  const follower = createHistoryFollower({
    registry,
    store,
    auditWriter: dependencies.auditWriter,
    seedRecords,
    pageRecords: 2_000,
    pagesPerFollow: 25,
  });
  const outcomes = createOutcomeKeeper({ settings, registry, store, now });
  const baselines = createBaselineKeeper({ settings: settings.anomaly, registry, store, now });
  const raiser = createAlertRaiser({
    settings,
    registry,
    policies: outcomes.policies,
    store: dependencies.alerts,
    notify: dependencies.notify,
    newId: dependencies.newId,
    now,
    onError,
  });
  const passIntervalMs = dependencies.passIntervalMs ?? 1_000;
  let lastSync = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let failing = false;

  function score(figures: AgentFigures): void {
    if (!figures.dirty || !anomalyOn) return;
    figures.dirty = false;
    const { baseline } = figures;
    if (baseline === undefined) {
      figures.anomaly = { status: 'no_baseline', score: 0, windowDecisions: 0 };
      figures.anomalyFactor = 1;
      return;
    }
    const window = figures.history.latest(settings.anomaly.windowSize, baseline.summary.lastAt);
    figures.anomaly = scoreAnomaly(baseline.summary, summarise(window));
    figures.anomalyFactor = anomalyFactorOf(figures.anomaly.score);
  }

  async function pass(withSync: boolean): Promise<void> {
    if (withSync) {
      lastSync = now();
      await follower.follow();
      await outcomes.sync();
      if (anomalyOn) await baselines.sync();
    }
    if (anomalyOn) {
      for (const figures of registry.all()) score(figures);
      await baselines.maintain();
      for (const figures of registry.all()) score(figures);
    }
    await raiser.evaluate();
  }

  /** One pass at a time; a failure is reported once until a pass succeeds again. */
  function runExclusive(withSync: boolean): Promise<void> {
    running ??= pass(withSync)
      .then(() => {
        failing = false;
      })
      .catch((error: unknown) => {
        if (!failing) onError(error, 'analytics could not read or write the database; figures may be stale');
        failing = true;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function schedule(): void {
    if (closed) return;
    timer = setTimeout(() => {
      void runExclusive(now() - lastSync >= settings.syncIntervalMs).finally(schedule);
    }, passIntervalMs);
    timer.unref();
  }

  const scored = (figures: AgentFigures): AgentFigures => {
    score(figures);
    return figures;
  };

  return {
    signals: {
      reliability: (tenantId, actor) => registry.find(tenantId, actor)?.reputation.reliability ?? 1,
      anomalyFactor: (tenantId, actor) => registry.find(tenantId, actor)?.anomalyFactor ?? 1,
    },
    decided(event) {
      // People's checks (`POST /v1/authorize`) are not an agent's behaviour.
      if (event.subject !== 'agent') return;
      const { tenantId, actor, action, decision, confidenceScore } = event;
      follower.decided(tenantId, actor, now(), action, decision, confidenceScore);
    },
    reviewResolved: (review) => outcomes.reviewResolved(review),
    async start() {
      try {
        await follower.seed();
      } catch (error) {
        onError(error, 'analytics could not read the decision history at start; it starts from what follows');
      }
      await runExclusive(true);
      schedule();
    },
    async close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
    },
    async runPass() {
      await running;
      await runExclusive(true);
    },
    agent(tenantId, actor) {
      const figures = registry.find(tenantId, actor);
      return figures === undefined ? undefined : scored(figures);
    },
    agents(tenantId) {
      return [...registry.all()]
        .filter((figures) => tenantId === undefined || figures.tenantId === tenantId)
        .map(scored);
    },
    async refreshBaseline(tenantId, actor) {
      const figures = registry.find(tenantId, actor);
      if (figures === undefined) return undefined;
      const outcome = await baselines.refresh(figures);
      score(figures);
      return outcome;
    },
    policies: outcomes.policies,
    alerts: dependencies.alerts,
    settings,
  };
}
