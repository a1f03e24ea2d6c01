import type { DialectCodec } from '../../dialects/codec.js';
import type { QueueCallers } from './queue-routes.js';

/**
 * What the analytics routes need from governance's analytics, declared structurally so http/
 * imports no feature module (the analytics assembler adapts governance's figures to these).
 */

export interface AgentAnalytics {
  readonly tenantId: string;
  readonly actor: string;
  /** Unix ms of the latest decision or reviewer outcome seen. */
  readonly lastActiveAt: number;
  /** Decisions held for this agent (at most the larger of the baseline sample and window). */
  readonly decisionsKnown: number;
  readonly reputation: {
    readonly score: number;
    readonly status: 'neutral' | 'scored';
    readonly reviewed: number;
    readonly approved: number;
    readonly denied: number;
    readonly low: boolean;
    readonly reliability: number;
  };
  readonly anomaly: {
    readonly status: 'scored' | 'no_baseline' | 'collecting';
    readonly score: number;
    readonly windowDecisions: number;
    readonly features?: Readonly<Record<string, number | null>>;
    readonly leading?: string;
  };
  readonly anomalyFactor: number;
  readonly baseline: BaselineView | undefined;
}

export interface BaselineView {
  /** Unix ms. */
  readonly computedAt: number;
  readonly decisions: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly actions: Readonly<Record<string, number>>;
  readonly outcomes: Readonly<Record<string, number>>;
  readonly confidences: readonly number[];
  readonly hours: readonly number[];
  readonly medianGapMs: number;
}

export interface PolicyAnalytics {
  readonly policyId: string;
  readonly effectiveness: number | undefined;
  readonly reviewed: number;
  readonly upheld: number;
  readonly overturned: number;
  readonly flagged: boolean;
}

export type AlertStatusName = 'active' | 'acknowledged' | 'resolved';

export interface AlertItem {
  readonly id: string;
  readonly kind: string;
  readonly subject:
    | { readonly type: 'agent'; readonly tenantId: string; readonly agent: string }
    | { readonly type: 'policy'; readonly policyId: string };
  readonly status: AlertStatusName;
  readonly value: number;
  readonly threshold: number;
  readonly title: string;
  readonly details: Readonly<Record<string, unknown>>;
  readonly raisedAt: number;
  readonly acknowledgedAt: number | undefined;
  readonly acknowledgedBy: string | undefined;
  readonly resolvedAt: number | undefined;
  readonly resolvedBy: string | undefined;
  readonly resolutionNote: string | undefined;
}

export interface AlertQuery {
  readonly statuses: readonly AlertStatusName[];
  readonly tenantId?: string | undefined;
  readonly agent?: string | undefined;
  readonly kind?: string | undefined;
  readonly since?: number | undefined;
  readonly limit: number;
}

export type AlertChangeOutcome =
  { readonly type: 'changed' | 'conflict'; readonly alert: AlertItem } | { readonly type: 'not_found' };

export interface AnalyticsThresholds {
  readonly reputationLow: number;
  readonly reputationMinDecisions: number;
  readonly anomalyEnabled: boolean;
  readonly anomalySeverity: number;
  readonly anomalyWindowSize: number;
  readonly baselineSampleSize: number;
  readonly baselineRefreshMs: number;
  readonly policyOptimization: number;
  readonly policyMinReviews: number;
}

export type BaselineRefresh =
  | { readonly type: 'refreshed'; readonly agent: AgentAnalytics }
  | { readonly type: 'too_few'; readonly known: number; readonly needed: number }
  | { readonly type: 'unknown' };

export interface AnalyticsOperations {
  readonly thresholds: AnalyticsThresholds;
  agent(tenantId: string, actor: string): AgentAnalytics | undefined;
  agents(tenantId: string | undefined): readonly AgentAnalytics[];
  refreshBaseline(tenantId: string, actor: string): Promise<BaselineRefresh>;
  policies(): readonly PolicyAnalytics[];
  listAlerts(query: AlertQuery): Promise<readonly AlertItem[]>;
  acknowledgeAlert(id: string, by: string): Promise<AlertChangeOutcome>;
  resolveAlert(id: string, by: string, note: string | undefined): Promise<AlertChangeOutcome>;
}

export interface AnalyticsRoutesDependencies {
  readonly analytics: AnalyticsOperations;
  /** The same callers as the review queue's: keys, with their role and agent. */
  readonly keys: QueueCallers;
  readonly codec: DialectCodec;
}
