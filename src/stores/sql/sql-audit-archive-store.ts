import type { Kysely, Transaction } from 'kysely';
import type { AuditArchiveStore, AuditQuery, RetentionAnchor } from '../../governance/audit/index.js';
import type { Database } from './database-schema.js';
import { rowToRecord } from './sql-audit-rows.js';

/**
 * Records deleted per transaction: small enough that an append waiting for the lock (SQLite has
 * one writer) waits milliseconds, large enough that a year of records goes in minutes.
 */
const rowsPerDeletion = 5_000;

/**
 * Export, admin queries, checkpoints and retention on the audit tables (migrations 0005 and 0006),
 * on SQLite and Postgres. Deleting moves the anchor in the same transaction, a chunk at a time,
 * guarded on the anchor not having moved meanwhile.
 */
export function createSqlAuditArchiveStore(database: Kysely<Database>): AuditArchiveStore {
  return {
    async query(query) {
      const rows = await filtered(database, query).execute();
      return rows.map(rowToRecord);
    },

    async lastSeqBefore(time) {
      // recorded_at never decreases along the chain: its index finds the last one at once.
      const row = await database
        .selectFrom('audit_records')
        .select('seq')
        .where('recorded_at', '<', time)
        .orderBy('recorded_at', 'desc')
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.seq;
    },

    anchor: () => readAnchor(database),

    async deleteThrough(through, hash) {
      let deleted = 0;
      for (let anchor = await readAnchor(database); anchor.seq < through;) {
        const end = Math.min(through, anchor.seq + rowsPerDeletion);
        const from = anchor;
        const step = await database
          .transaction()
          .execute((transaction) => deleteChunk(transaction, from, end, end === through ? hash : undefined));
        deleted += step.deleted;
        anchor = step.anchor;
      }
      return deleted;
    },

    async acquireLease(name, holder, now, ttlMs) {
      const row = await database
        .insertInto('audit_leases')
        .values({ name, holder, expires_at: now + ttlMs })
        .onConflict((conflict) =>
          conflict
            .column('name')
            .doUpdateSet({ holder, expires_at: now + ttlMs })
            .where((where) =>
              where.or([
                where('audit_leases.expires_at', '<=', now),
                where('audit_leases.holder', '=', holder),
              ]),
            ),
        )
        .returning('holder')
        .executeTakeFirst();
      return row?.holder === holder;
    },

    async releaseLease(name, holder) {
      await database
        .deleteFrom('audit_leases')
        .where('name', '=', name)
        .where('holder', '=', holder)
        .execute();
    },
  };
}

function filtered(database: Kysely<Database>, query: AuditQuery) {
  let select = database
    .selectFrom('audit_records')
    .selectAll()
    .orderBy('seq', query.order)
    .limit(query.limit);
  if (query.fromSeq !== undefined) select = select.where('seq', '>=', query.fromSeq);
  if (query.toSeq !== undefined) select = select.where('seq', '<=', query.toSeq);
  if (query.fromTime !== undefined) select = select.where('recorded_at', '>=', query.fromTime);
  if (query.toTime !== undefined) select = select.where('recorded_at', '<', query.toTime);
  if (query.type !== undefined) select = select.where('type', '=', query.type);
  if (query.tenantId !== undefined) select = select.where('tenant_id', '=', query.tenantId);
  if (query.actor !== undefined) select = select.where('actor', '=', query.actor);
  if (query.action !== undefined) select = select.where('action', '=', query.action);
  if (query.traceId !== undefined) select = select.where('trace_id', '=', query.traceId);
  if (query.eventId !== undefined) select = select.where('event_id', '=', query.eventId);
  return select;
}

async function readAnchor(database: Kysely<Database> | Transaction<Database>): Promise<RetentionAnchor> {
  const row = await database
    .selectFrom('audit_anchor')
    .select(['seq', 'hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  if (row === undefined) throw new Error('the audit log has no anchor row (audit_anchor id 1)');
  return { seq: row.seq, hash: row.hash };
}

/**
 * Deletes the records after `from` through `end` and moves the anchor to `end`, whose hash is read
 * before its row goes (and must be `expectedHash` when given: the record retention archived).
 */
async function deleteChunk(
  transaction: Transaction<Database>,
  from: RetentionAnchor,
  end: number,
  expectedHash: string | undefined,
): Promise<{ deleted: number; anchor: RetentionAnchor }> {
  const last = await transaction
    .selectFrom('audit_records')
    .select('hash')
    .where('seq', '=', end)
    .executeTakeFirst();
  if (last === undefined) throw new Error(`audit record ${end} is missing; nothing deleted`);
  if (expectedHash !== undefined && last.hash !== expectedHash) {
    throw new Error(`audit record ${end} changed after it was archived; nothing deleted`);
  }
  const result = await transaction
    .deleteFrom('audit_records')
    .where('seq', '>', from.seq)
    .where('seq', '<=', end)
    .executeTakeFirst();
  const moved = await transaction
    .updateTable('audit_anchor')
    .set({ seq: end, hash: last.hash })
    .where('id', '=', 1)
    .where('seq', '=', from.seq)
    .executeTakeFirst();
  if (moved.numUpdatedRows !== 1n) throw new Error('the audit anchor moved meanwhile; nothing deleted');
  return { deleted: Number(result.numDeletedRows), anchor: { seq: end, hash: last.hash } };
}
