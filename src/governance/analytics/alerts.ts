/**
 * Analytics alerts: stored, so that every replica lists the same ones and an acknowledgement or
 * resolution made on one holds on all; de-duplicated by the store, which keeps at most one
 * unresolved alert per subject and kind (a partial unique index), so replicas that see the same
 * condition at once raise it once, and only the replica whose insert succeeded notifies.
 */

export const alertKinds = ['reputation_low', 'anomaly_high', 'policy_ineffective'] as const;
export type AlertKind = (typeof alertKinds)[number];

/** Lelu's statuses: `active` until someone acknowledges it, `resolved` when closed. */
export const alertStatuses = ['active', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof alertStatuses)[number];

/** What an alert is about: an agent (of a tenant) or a policy (policies are global). */
export type AlertSubject =
  | { readonly type: 'agent'; readonly tenantId: string; readonly agent: string }
  | { readonly type: 'policy'; readonly policyId: string };

export interface NewAlert {
  readonly id: string;
  readonly kind: AlertKind;
  readonly subject: AlertSubject;
  /** The figure that crossed the threshold, and the threshold. */
  readonly value: number;
  readonly threshold: number;
  /** One line for people. */
  readonly title: string;
  /** Figures behind it (feature distances, counts); plain JSON. */
  readonly details: Readonly<Record<string, unknown>>;
  /** Unix ms. */
  readonly raisedAt: number;
}

export interface AlertRecord extends NewAlert {
  readonly status: AlertStatus;
  readonly acknowledgedAt: number | undefined;
  readonly acknowledgedBy: string | undefined;
  readonly resolvedAt: number | undefined;
  readonly resolvedBy: string | undefined;
  readonly resolutionNote: string | undefined;
}

export interface AlertFilter {
  readonly statuses: readonly AlertStatus[];
  readonly tenantId?: string | undefined;
  /** An agent's alerts (of `tenantId`, or of every tenant when that is unset). */
  readonly agent?: string | undefined;
  readonly policyId?: string | undefined;
  readonly kind?: AlertKind | undefined;
  /** Only alerts raised at or after this (Unix ms). */
  readonly since?: number | undefined;
  readonly limit: number;
}

export type AlertChange =
  | { readonly type: 'changed'; readonly alert: AlertRecord }
  /** Not in a state that allows it (acknowledging a resolved alert, resolving twice): as it stands. */
  | { readonly type: 'conflict'; readonly alert: AlertRecord }
  | { readonly type: 'not_found' };

/** What analytics needs from a database for its alerts (implemented in stores/sql). */
export interface AlertStore {
  /** Stores the alert unless its subject has an unresolved one of its kind; the stored alert, or undefined. */
  raise(alert: NewAlert): Promise<AlertRecord | undefined>;
  /** Newest first. */
  list(filter: AlertFilter): Promise<readonly AlertRecord[]>;
  find(id: string): Promise<AlertRecord | undefined>;
  /** Only an `active` alert is acknowledged (one conditional write: exactly once across replicas). */
  acknowledge(id: string, by: string, at: number): Promise<AlertChange>;
  /** An `active` or `acknowledged` alert is resolved, once. */
  resolve(id: string, by: string, note: string | undefined, at: number): Promise<AlertChange>;
}

export const newAlertId = (random: () => string): string => `alert_${random().replaceAll('-', '')}`;
