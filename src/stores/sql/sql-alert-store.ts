import type { Kysely, Selectable } from 'kysely';
import {
  alertKinds,
  alertStatuses,
  type AlertChange,
  type AlertKind,
  type AlertRecord,
  type AlertStatus,
  type AlertStore,
  type AlertSubject,
} from '../../governance/analytics/index.js';
import type { AnalyticsAlertsTable, Database } from './database-schema.js';

/**
 * Analytics alerts in `analytics_alerts` (migration 0008). Raising inserts with ON CONFLICT DO
 * NOTHING against the partial unique index on unresolved alerts, so of replicas raising the same
 * alert at once exactly one gets the row back; acknowledging and resolving are conditional updates
 * with RETURNING, so each happens once however many replicas try.
 */
export function createSqlAlertStore(database: Kysely<Database>): AlertStore {
  async function change(
    id: string,
    from: readonly AlertStatus[],
    set: Partial<Selectable<AnalyticsAlertsTable>>,
  ): Promise<AlertChange> {
    const row = await database
      .updateTable('analytics_alerts')
      .set(set)
      .where('id', '=', id)
      .where('status', 'in', from)
      .returningAll()
      .executeTakeFirst();
    if (row !== undefined) return { type: 'changed', alert: recordOf(row) };
    const standing = await find(id);
    return standing === undefined ? { type: 'not_found' } : { type: 'conflict', alert: standing };
  }

  async function find(id: string): Promise<AlertRecord | undefined> {
    const row = await database
      .selectFrom('analytics_alerts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined ? undefined : recordOf(row);
  }

  return {
    async raise(alert) {
      const { subject } = alert;
      const row = await database
        .insertInto('analytics_alerts')
        .values({
          id: alert.id,
          kind: alert.kind,
          subject_type: subject.type,
          tenant_id: subject.type === 'agent' ? subject.tenantId : '',
          subject: subject.type === 'agent' ? subject.agent : subject.policyId,
          status: 'active',
          value: alert.value,
          threshold: alert.threshold,
          title: alert.title,
          details: JSON.stringify(alert.details),
          raised_at: alert.raisedAt,
          acknowledged_at: null,
          acknowledged_by: null,
          resolved_at: null,
          resolved_by: null,
          resolution_note: null,
        })
        .onConflict((conflict) => conflict.doNothing())
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : recordOf(row);
    },
    async list(filter) {
      let query = database
        .selectFrom('analytics_alerts')
        .selectAll()
        .where('status', 'in', [...filter.statuses]);
      if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
      if (filter.agent !== undefined)
        query = query.where('subject_type', '=', 'agent').where('subject', '=', filter.agent);
      if (filter.policyId !== undefined)
        query = query.where('subject_type', '=', 'policy').where('subject', '=', filter.policyId);
      if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
      if (filter.since !== undefined) query = query.where('raised_at', '>=', filter.since);
      const rows = await query
        .orderBy('raised_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.limit)
        .execute();
      return rows.map(recordOf);
    },
    find,
    acknowledge: (id, by, at) =>
      change(id, ['active'], { status: 'acknowledged', acknowledged_at: at, acknowledged_by: by }),
    resolve: (id, by, note, at) =>
      change(id, ['active', 'acknowledged'], {
        status: 'resolved',
        resolved_at: at,
        resolved_by: by,
        resolution_note: note ?? null,
      }),
  };
}

const kinds: readonly string[] = alertKinds;
const statuses: readonly string[] = alertStatuses;

function recordOf(row: Selectable<AnalyticsAlertsTable>): AlertRecord {
  if (!kinds.includes(row.kind) || !statuses.includes(row.status))
    throw new Error(`analytics_alerts ${row.id}: unknown kind "${row.kind}" or status "${row.status}"`);
  const subject: AlertSubject =
    row.subject_type === 'policy'
      ? { type: 'policy', policyId: row.subject }
      : { type: 'agent', tenantId: row.tenant_id, agent: row.subject };
  return {
    id: row.id,
    kind: row.kind as AlertKind,
    subject,
    status: row.status as AlertStatus,
    value: row.value,
    threshold: row.threshold,
    title: row.title,
    details: parseDetails(row.details),
    raisedAt: row.raised_at,
    acknowledgedAt: row.acknowledged_at ?? undefined,
    acknowledgedBy: row.acknowledged_by ?? undefined,
    resolvedAt: row.resolved_at ?? undefined,
    resolvedBy: row.resolved_by ?? undefined,
    resolutionNote: row.resolution_note ?? undefined,
  };
}

function parseDetails(text: string): Readonly<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
