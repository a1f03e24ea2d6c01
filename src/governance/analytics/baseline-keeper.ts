import type { AgentFigures, AgentRegistry } from './agent-figures.js';
import type { AnomalySettings } from './analytics-settings.js';
import type { AnalyticsStore, StoredBaseline } from './analytics-store.js';
import { summarise } from './behaviour.js';

/**
 * Baselines: each agent's own normal, made from its latest BASELINE_SAMPLE_SIZE decisions once it
 * has made that many, and made again every BASELINE_REFRESH_INTERVAL — but not while the agent is
 * anomalous, so that a burst never becomes the norm by the clock alone (an operator who accepts
 * the new behaviour refreshes by hand). Stored, so every replica scores against the same one and
 * a restart keeps it: a refresh replaces the stored baseline only if it is still the one it
 * replaces, so two replicas refreshing at once store one.
 */
export type RefreshOutcome =
  | { readonly type: 'refreshed'; readonly baseline: StoredBaseline }
  /** Fewer decisions known than a baseline is made of. */
  | { readonly type: 'too_few'; readonly known: number; readonly needed: number };

export interface BaselineKeeper {
  /** Reads baselines not read yet, and those other replicas made since the last read. */
  sync(): Promise<void>;
  /** Makes the baselines that are missing and remakes those that are due. */
  maintain(): Promise<void>;
  /** Remakes one now, whatever its age and the agent's anomaly. */
  refresh(figures: AgentFigures): Promise<RefreshOutcome>;
}

export interface BaselineKeeperDependencies {
  readonly settings: AnomalySettings;
  readonly registry: AgentRegistry;
  readonly store: AnalyticsStore;
  readonly now: () => number;
}

/** Agents asked about per query. */
const batchSize = 200;
/** Baselines written per maintenance pass at most, so one pass stays short. */
const writesPerPass = 100;
/** Another replica's clock may be behind ours: baselines made this long before the last read are read again. */
const clockSkewMs = 60_000;

export function createBaselineKeeper(dependencies: BaselineKeeperDependencies): BaselineKeeper {
  const { settings, registry, store, now } = dependencies;
  let lastRead: number | undefined;

  function adopt(figures: AgentFigures, baseline: StoredBaseline): void {
    if (figures.baseline !== undefined && figures.baseline.computedAt >= baseline.computedAt) return;
    figures.baseline = baseline;
    figures.dirty = true;
  }

  function made(figures: AgentFigures, at: number): StoredBaseline {
    const samples = figures.history.latest(settings.baselineSampleSize);
    return { tenantId: figures.tenantId, actor: figures.actor, summary: summarise(samples), computedAt: at };
  }

  function due(figures: AgentFigures, at: number): boolean {
    const { baseline } = figures;
    if (baseline === undefined) return false;
    return (
      at - baseline.computedAt >= settings.baselineRefreshMs &&
      figures.anomaly.score < settings.severityThreshold &&
      figures.history.latestTime() > baseline.summary.lastAt
    );
  }

  return {
    async sync() {
      const startedAt = now();
      const unread = [...registry.all()].filter((figures) => !figures.baselineLoaded);
      for (let start = 0; start < unread.length; start += batchSize) {
        const batch = unread.slice(start, start + batchSize);
        const stored = await store.baselines(batch);
        for (const baseline of stored) {
          const figures = registry.find(baseline.tenantId, baseline.actor);
          if (figures !== undefined) adopt(figures, baseline);
        }
        for (const figures of batch) figures.baselineLoaded = true;
      }
      if (lastRead !== undefined) {
        for (const baseline of await store.baselinesSince(lastRead - clockSkewMs)) {
          const figures = registry.find(baseline.tenantId, baseline.actor);
          if (figures !== undefined) adopt(figures, baseline);
        }
      }
      lastRead = startedAt;
    },
    async maintain() {
      let writes = 0;
      for (const figures of [...registry.all()]) {
        if (writes >= writesPerPass) return;
        if (!figures.baselineLoaded || figures.history.size < settings.baselineSampleSize) continue;
        const at = now();
        if (figures.baseline === undefined) {
          writes += 1;
          adopt(figures, await store.saveBaseline(made(figures, at), undefined));
        } else if (due(figures, at)) {
          writes += 1;
          const replaced = figures.baseline.computedAt;
          adopt(figures, await store.saveBaseline(made(figures, at), replaced));
        }
      }
    },
    async refresh(figures) {
      const known = figures.history.size;
      if (known < settings.baselineSampleSize)
        return { type: 'too_few', known, needed: settings.baselineSampleSize };
      const stored = await store.saveBaseline(made(figures, now()), 'force');
      figures.baseline = stored;
      figures.baselineLoaded = true;
      figures.dirty = true;
      return { type: 'refreshed', baseline: stored };
    },
  };
}
