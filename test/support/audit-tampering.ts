import type { Kysely } from 'kysely';
import { hashOf, type AuditEntry, type AuditRecord } from '../../src/governance/audit/index.js';
import type { Database } from '../../src/stores/sql/database-schema.js';
import type { SqlStoreOptions } from '../../src/stores/sql/index.js';
import { openPostgresDatabase } from '../../src/stores/sql/postgres-database.js';
import { createSqlAuditStore } from '../../src/stores/sql/sql-audit-store.js';
import { openSqliteConnection, openSqliteDatabase } from '../../src/stores/sql/sqlite-database.js';

/**
 * An attacker with write access to the database, for tests: edits, deletes and rewrites audit rows
 * behind Gatehouse's back, straight in the tables.
 */
export function openRawDatabase(options: SqlStoreOptions): Kysely<Database> {
  return options.databaseUrl === undefined
    ? openSqliteDatabase(options.dataDir)
    : openPostgresDatabase({
        databaseUrl: options.databaseUrl,
        schema: options.schema,
        onConnectionError: () => {},
      });
}

/**
 * Rewrites the log from `fromSeq` on as a careful forger would: `change` alters that record, and it
 * and every later record get their hashes recomputed and relinked, the head moved to the new end, so
 * the chain on its own verifies.
 */
export async function rewriteConsistently(
  database: Kysely<Database>,
  fromSeq: number,
  change: (record: AuditRecord) => AuditRecord,
  records: readonly AuditRecord[],
): Promise<void> {
  let previousHash = records.find((record) => record.seq === fromSeq - 1)?.hash ?? '0'.repeat(64);
  for (const original of records.filter((record) => record.seq >= fromSeq)) {
    const changed = original.seq === fromSeq ? change(original) : original;
    const { hash: _stale, ...unsealed } = { ...changed, prevHash: previousHash };
    const hash = hashOf(unsealed);
    await database
      .updateTable('audit_records')
      .set({ decision: changed.decision, reason: changed.reason, prev_hash: previousHash, hash })
      .where('seq', '=', original.seq)
      .execute();
    previousHash = hash;
  }
  await database.updateTable('audit_head').set({ hash: previousHash }).where('id', '=', 1).execute();
}

/** Deletes the records after `seq` and moves the head back to it, hashes and all. */
export async function truncateAfter(database: Kysely<Database>, record: AuditRecord): Promise<void> {
  await database.deleteFrom('audit_records').where('seq', '>', record.seq).execute();
  await database
    .updateTable('audit_head')
    .set({ seq: record.seq, hash: record.hash, recorded_at: record.recordedAt })
    .where('id', '=', 1)
    .execute();
}

/**
 * Appends entries as if it were `at` (Unix ms): the way to have records older than a retention
 * period without waiting for one. The schema must exist (createSqlStores ran on `options`), and the
 * log must hold nothing newer than `at` (times never go back along the chain).
 */
export async function appendDated(
  options: SqlStoreOptions,
  at: number,
  entries: readonly AuditEntry[],
): Promise<void> {
  if (options.databaseUrl === undefined) {
    const { database, connection } = openSqliteConnection(options.dataDir);
    try {
      await createSqlAuditStore(database, { dialect: 'sqlite', connection }, { now: () => at }).append(
        entries,
      );
    } finally {
      await database.destroy();
    }
    return;
  }
  const database = openRawDatabase(options);
  try {
    await createSqlAuditStore(database, { dialect: 'postgres' }, { now: () => at }).append(entries);
  } finally {
    await database.destroy();
  }
}
