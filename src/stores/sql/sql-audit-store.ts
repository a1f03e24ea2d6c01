import type { Kysely, Transaction } from 'kysely';
import {
  sealEntries,
  type AuditAppendResult,
  type AuditEntry,
  type AuditHead,
  type AuditRange,
  type AuditStore,
} from '../../governance/audit/index.js';
import type { Database } from './database-schema.js';
import { recordToRow, rowToHead, rowToRecord } from './sql-audit-rows.js';
import { sqliteAppender, type SqliteAuditAppend } from './sqlite-audit-appender.js';
import type { UsageDatabase } from './sql-usage-store.js';

/** On Postgres, rows per insert statement (21 parameters a row, far below the protocol's 65,535). */
const rowsPerStep = 64;

export interface SqlAuditStoreOptions {
  readonly now?: () => number;
  /**
   * SQLite: appends through another connection (the gateway's write thread,
   * `sqlite-write-thread.ts`); absent, on the database's own connection, on the event loop.
   */
  readonly sqliteAppend?: SqliteAuditAppend | undefined;
}

/**
 * SQLite appends on the embedded database's one connection, while holding Kysely's lock on it, so
 * that no Kysely transaction is open on it meanwhile.
 */
function inConnection(database: Kysely<Database>, append: SqliteAuditAppend): SqliteAuditAppend {
  return (entries, offered) => database.connection().execute(() => append(entries, offered));
}

/** Event ids looked up per query when dropping entries the log holds already. */
const idsPerLookup = 500;

/**
 * The audit log in `audit_records` and `audit_head` (migration 0005), on SQLite and Postgres. One
 * chain for every replica: an append locks the head row (`select … for update` on Postgres; on
 * SQLite `begin immediate` takes the database's one write lock), skips entries already in the log,
 * seals the rest onto the head, inserts them and moves the head, in one transaction (decision 0008).
 */
export function createSqlAuditStore(
  database: Kysely<Database>,
  target: UsageDatabase,
  options: SqlAuditStoreOptions = {},
): AuditStore {
  const now = options.now ?? Date.now;
  const appendSqlite =
    target.dialect !== 'sqlite'
      ? undefined
      : (options.sqliteAppend ?? inConnection(database, sqliteAppender(target.connection, now)));
  return {
    async append(entries) {
      const unique = withoutRepeats(entries);
      try {
        if (appendSqlite !== undefined) return await appendSqlite(unique, entries.length);
        return await database
          .transaction()
          .execute((transaction) => appendPostgres(transaction, unique, entries.length, now));
      } catch (error) {
        throw explained(error);
      }
    },

    async head() {
      const row = await database
        .selectFrom('audit_head')
        .select(['seq', 'hash', 'recorded_at'])
        .where('id', '=', 1)
        .executeTakeFirst();
      return rowToHead(row);
    },

    async read(range) {
      const rows = await rangeQuery(database, range).execute();
      return rows.map(rowToRecord);
    },
  };
}

/**
 * A sequence number taken already can only be a row written past the head outside Gatehouse (every
 * append moves the head with its rows): say so, rather than let the writer report an outage.
 */
function explained(error: unknown): unknown {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    constraint?: unknown;
    message?: unknown;
  };
  const taken =
    (fields.code === '23505' && fields.constraint === 'audit_records_pkey') ||
    (typeof fields.message === 'string' && fields.message.includes('audit_records.seq'));
  if (!taken) return error;
  return new Error(
    'the audit log holds a record past its head, added outside Gatehouse: nothing can be appended until it is removed (gatehouse audit verify names it)',
    { cause: error },
  );
}

function rangeQuery(database: Kysely<Database>, range: AuditRange) {
  let query = database.selectFrom('audit_records').selectAll().orderBy('seq').limit(range.limit);
  if (range.fromSeq !== undefined) query = query.where('seq', '>=', range.fromSeq);
  if (range.toSeq !== undefined) query = query.where('seq', '<=', range.toSeq);
  if (range.fromTime !== undefined) query = query.where('recorded_at', '>=', range.fromTime);
  if (range.toTime !== undefined) query = query.where('recorded_at', '<', range.toTime);
  return query;
}

/** The first of each event id (a spool file and the journal may both hold an entry). */
function withoutRepeats(entries: readonly AuditEntry[]): AuditEntry[] {
  const seen = new Set<string>();
  const unique: AuditEntry[] = [];
  for (const entry of entries) {
    if (seen.has(entry.eventId)) continue;
    seen.add(entry.eventId);
    unique.push(entry);
  }
  return unique;
}

async function appendPostgres(
  transaction: Transaction<Database>,
  entries: readonly AuditEntry[],
  offered: number,
  now: () => number,
): Promise<AuditAppendResult> {
  // The lock every replica queues on: whoever holds it owns the chain's end until commit.
  const row = await transaction
    .selectFrom('audit_head')
    .select(['seq', 'hash', 'recorded_at'])
    .where('id', '=', 1)
    .forUpdate()
    .executeTakeFirst();
  if (row === undefined) throw new Error('the audit log has no head row (audit_head id 1)');
  const known = new Set<string>();
  for (let start = 0; start < entries.length; start += idsPerLookup) {
    const ids = entries.slice(start, start + idsPerLookup).map((entry) => entry.eventId);
    const found = await transaction
      .selectFrom('audit_records')
      .select('event_id')
      .where('event_id', 'in', ids)
      .execute();
    for (const { event_id } of found) known.add(event_id);
  }
  const fresh = entries.filter((entry) => !known.has(entry.eventId));
  let head = rowToHead(row);
  const at = now();
  for (let start = 0; start < fresh.length; start += rowsPerStep) {
    const sealed = sealEntries(head, fresh.slice(start, start + rowsPerStep), at);
    await transaction.insertInto('audit_records').values(sealed.records.map(recordToRow)).execute();
    head = sealed.head;
  }
  if (fresh.length > 0) await moveHead(transaction, head);
  return { appended: fresh.length, skipped: offered - fresh.length, head };
}

async function moveHead(transaction: Transaction<Database>, head: AuditHead): Promise<void> {
  await transaction
    .updateTable('audit_head')
    .set({ seq: head.seq, hash: head.hash, recorded_at: head.recordedAt })
    .where('id', '=', 1)
    .execute();
}
