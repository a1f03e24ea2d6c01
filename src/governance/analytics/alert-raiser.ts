import type { AgentFigures, AgentRegistry } from './agent-figures.js';
import type { AlertRecord, AlertStore, NewAlert } from './alerts.js';
import type { AnalyticsSettings } from './analytics-settings.js';
import type { PolicyFigures } from './outcome-keeper.js';

/**
 * Raises an alert when a condition starts: an agent's reputation falls below
 * REPUTATION_LOW_THRESHOLD, its anomaly reaches ANOMALY_SEVERITY_THRESHOLD, or a policy's
 * effectiveness falls below POLICY_OPTIMIZATION_THRESHOLD. Once per stretch on this replica (the
 * condition must clear before it is raised again, so resolving an alert while it holds does not
 * bring it straight back); the store keeps one unresolved alert per subject and kind across
 * replicas, and only the replica that stored it notifies.
 */
export interface AlertRaiser {
  evaluate(): Promise<void>;
}

export interface AlertRaiserDependencies {
  readonly settings: AnalyticsSettings;
  readonly registry: AgentRegistry;
  readonly policies: ReadonlyMap<string, PolicyFigures>;
  readonly store: AlertStore;
  readonly notify: (alert: AlertRecord) => void;
  readonly newId: () => string;
  readonly now: () => number;
  readonly onError: (error: unknown, message: string) => void;
}

const figure = (value: number): string => value.toFixed(2);

export function createAlertRaiser(dependencies: AlertRaiserDependencies): AlertRaiser {
  const { settings, registry, policies, store, notify, now, onError } = dependencies;

  /** Whether the condition now counts as alerted (stored, or already open). */
  async function raise(alert: Omit<NewAlert, 'id' | 'raisedAt'>): Promise<boolean> {
    try {
      const stored = await store.raise({ ...alert, id: dependencies.newId(), raisedAt: now() });
      if (stored !== undefined) notify(stored);
      return true;
    } catch (error) {
      onError(error, 'raising an analytics alert failed; it is tried again');
      return false;
    }
  }

  async function evaluateAgent(figures: AgentFigures): Promise<void> {
    const { tenantId, actor, reputation, anomaly, alerted } = figures;
    const subject = { type: 'agent', tenantId, agent: actor } as const;
    if (!reputation.low) alerted.reputation = false;
    else if (!alerted.reputation) {
      const threshold = settings.reputation.lowThreshold;
      alerted.reputation = await raise({
        kind: 'reputation_low',
        subject,
        value: reputation.score,
        threshold,
        title: `Agent ${actor} (tenant ${tenantId}): reputation ${figure(reputation.score)} is below ${threshold}`,
        details: { reviewed_decisions: reputation.reviewed },
      });
    }
    const threshold = settings.anomaly.severityThreshold;
    if (anomaly.status !== 'scored' || anomaly.score < threshold) alerted.anomaly = false;
    else if (!alerted.anomaly) {
      alerted.anomaly = await raise({
        kind: 'anomaly_high',
        subject,
        value: anomaly.score,
        threshold,
        title: `Agent ${actor} (tenant ${tenantId}): anomaly ${figure(anomaly.score)} (${anomaly.leading}) is at or above ${threshold}`,
        details: {
          leading_feature: anomaly.leading,
          features: anomaly.features,
          window: anomaly.windowDecisions,
        },
      });
    }
  }

  async function evaluatePolicy(figures: PolicyFigures): Promise<void> {
    const { effectiveness } = figures;
    if (!effectiveness.flagged || effectiveness.effectiveness === undefined) {
      figures.alerted = false;
      return;
    }
    if (figures.alerted) return;
    const threshold = settings.policy.optimizationThreshold;
    figures.alerted = await raise({
      kind: 'policy_ineffective',
      subject: { type: 'policy', policyId: figures.policyId },
      value: effectiveness.effectiveness,
      threshold,
      title: `Policy ${figures.policyId}: reviewers upheld ${figure(effectiveness.effectiveness)} of its reviewed decisions, below ${threshold}`,
      details: {
        reviewed: effectiveness.reviewed,
        upheld: effectiveness.upheld,
        overturned: effectiveness.overturned,
      },
    });
  }

  return {
    async evaluate() {
      for (const figures of [...registry.all()]) await evaluateAgent(figures);
      for (const figures of [...policies.values()]) await evaluatePolicy(figures);
    },
  };
}
