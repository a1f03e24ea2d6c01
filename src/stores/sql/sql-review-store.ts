import type { Kysely, Selectable } from 'kysely';
import type {
  PendingFilter,
  ReviewItem,
  ReviewStatus,
  ReviewStore,
  Resolution,
} from '../../governance/review/index.js';
import { expiryResolution } from '../../governance/review/index.js';
import type { Database, ReviewItemsTable } from './database-schema.js';

/**
 * The review queue in `review_items` (migration 0004), on SQLite and Postgres alike. Resolution
 * and expiry are conditional updates on `status = 'pending'` with `RETURNING`: the row changes
 * once, and only the writer that changed it gets it back (READ COMMITTED re-checks the condition
 * after a concurrent writer commits; SQLite serialises writers).
 */
export function createSqlReviewStore(
  database: Kysely<Database>,
  /** SQLite: inserts through the gateway's write thread (`sqlite-write-thread.ts`) when given. */
  insertRow?: (row: ReviewItemsTable) => Promise<void>,
): ReviewStore {
  return {
    async insert(item) {
      const row = itemToRow(item);
      if (insertRow !== undefined) await insertRow(row);
      else await database.insertInto('review_items').values(row).execute();
    },
    async find(idOrTraceId) {
      const row = await database
        .selectFrom('review_items')
        .selectAll()
        .where((where) => where.or([where('id', '=', idOrTraceId), where('trace_id', '=', idOrTraceId)]))
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToItem(row);
    },
    async listPending(filter, now) {
      const rows = await pendingQuery(database, filter, now)
        .selectAll()
        .orderBy('enqueued_at')
        .orderBy('id')
        .limit(filter.limit)
        .execute();
      return rows.map(rowToItem);
    },
    async countPending(now) {
      const row = await pendingQuery(database, { limit: 0 }, now)
        .select((select) => select.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      // The pool parses counts (int8) to numbers, as SQLite returns them.
      return row.count;
    },
    async resolve(id, resolution, now) {
      const row = await database
        .updateTable('review_items')
        .set(resolutionColumns(resolution))
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .where('expires_at', '>', now)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? { type: 'not_pending' } : { type: 'resolved', item: rowToItem(row) };
    },
    async expire(now) {
      // Each overdue item's own expiry time becomes its resolution time, whenever the sweep runs.
      const overdue = await database
        .selectFrom('review_items')
        .select(['id', 'expires_at'])
        .where('status', '=', 'pending')
        .where('expires_at', '<=', now)
        .execute();
      const expired: ReviewItem[] = [];
      for (const { id, expires_at } of overdue) {
        const row = await database
          .updateTable('review_items')
          .set(resolutionColumns(expiryResolution({ expiresAt: expires_at })))
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .returningAll()
          .executeTakeFirst();
        if (row !== undefined) expired.push(rowToItem(row));
      }
      return expired;
    },
  };
}

function pendingQuery(database: Kysely<Database>, filter: PendingFilter, now: number) {
  let query = database
    .selectFrom('review_items')
    .where('status', '=', 'pending')
    .where('expires_at', '>', now);
  if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
  if (filter.actor !== undefined) query = query.where('actor', '=', filter.actor);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  const { after } = filter;
  if (after !== undefined) {
    query = query.where((where) =>
      where.or([
        where('enqueued_at', '>', after.enqueuedAt),
        where.and([where('enqueued_at', '=', after.enqueuedAt), where('id', '>', after.id)]),
      ]),
    );
  }
  return query;
}

function resolutionColumns(resolution: Resolution) {
  return {
    status: resolution.status,
    resolved_at: resolution.resolvedAt,
    resolved_by: resolution.resolvedBy,
    resolution_note: resolution.resolutionNote ?? null,
    resolver_key_id: resolution.resolverKeyId ?? null,
  };
}

function itemToRow(item: ReviewItem): ReviewItemsTable {
  return {
    id: item.id,
    tenant_id: item.tenantId,
    actor: item.actor,
    action: item.action,
    resource: JSON.stringify(item.resource),
    confidence_score: item.confidenceScore,
    reason: item.reason,
    acting_for: item.actingFor ?? null,
    trace_id: item.traceId,
    risk_score: item.riskScore,
    policy_digest: item.policyDigest,
    input_hash: item.inputHash,
    args_hash: item.argsHash ?? null,
    enqueued_at: item.enqueuedAt,
    expires_at: item.expiresAt,
    status: item.status,
    resolved_at: item.resolvedAt ?? null,
    resolved_by: item.resolvedBy ?? null,
    resolution_note: item.resolutionNote ?? null,
    resolver_key_id: item.resolverKeyId ?? null,
    policy_ids: JSON.stringify(item.policyIds),
  };
}

const statuses: readonly string[] = ['pending', 'approved', 'denied'] satisfies ReviewStatus[];

/** A row of `review_items` as an item (also read by sql-review-outcome-store.ts). */
export function rowToItem(row: Selectable<ReviewItemsTable>): ReviewItem {
  if (!statuses.includes(row.status))
    throw new Error(`review_items ${row.id}: unknown status "${row.status}"`);
  return {
    id: row.id,
    tenantId: row.tenant_id,
    actor: row.actor,
    action: row.action,
    resource: parseResource(row.resource, row.id),
    confidenceScore: row.confidence_score,
    reason: row.reason,
    actingFor: row.acting_for ?? undefined,
    traceId: row.trace_id,
    riskScore: row.risk_score,
    policyDigest: row.policy_digest,
    inputHash: row.input_hash,
    argsHash: row.args_hash ?? undefined,
    enqueuedAt: row.enqueued_at,
    expiresAt: row.expires_at,
    status: row.status as ReviewStatus,
    resolvedAt: row.resolved_at ?? undefined,
    resolvedBy: row.resolved_by ?? undefined,
    resolutionNote: row.resolution_note ?? undefined,
    resolverKeyId: row.resolver_key_id ?? undefined,
    policyIds: parsePolicyIds(row.policy_ids),
  };
}

/** Items queued before policy ids were recorded have none. */
export function parsePolicyIds(text: string | null): readonly string[] {
  if (text === null) return [];
  try {
    const value: unknown = JSON.parse(text);
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function parseResource(text: string, id: string): Readonly<Record<string, string>> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`review_items ${id}: resource is not a JSON object`);
  return value as Record<string, string>;
}
