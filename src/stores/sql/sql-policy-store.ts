import type { Kysely, Selectable } from 'kysely';
import type {
  NewPolicyVersion,
  PolicyAppendResult,
  PolicyStore,
  PolicyVersion,
  PolicyVersionSummary,
} from '../../governance/policies/index.js';
import type { Database, PolicyVersionsTable } from './database-schema.js';

const summaryColumns = [
  'version',
  'digest',
  'author_key_id',
  'created_at',
  'comment',
  'restored_from',
] as const;

/** The policy's versions in `policy_versions` (migration 0003), on SQLite and Postgres alike. */
export function createSqlPolicyStore(database: Kysely<Database>): PolicyStore {
  return {
    async current() {
      const row = await database
        .selectFrom('policy_versions')
        .selectAll()
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToVersion(row);
    },
    async currentDigest() {
      const row = await database
        .selectFrom('policy_versions')
        .select(['version', 'digest'])
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row === undefined ? undefined : { version: row.version, digest: row.digest };
    },
    async version(version) {
      const row = await database
        .selectFrom('policy_versions')
        .selectAll()
        .where('version', '=', version)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToVersion(row);
    },
    async versions() {
      const rows = await database
        .selectFrom('policy_versions')
        .select(summaryColumns)
        .orderBy('version', 'desc')
        .execute();
      return rows.map(rowToSummary);
    },
    append: (entry, after) => append(database, entry, after),
  };
}

/** `ON CONFLICT DO NOTHING` on the primary key: the loser of a race learns it without an error. */
async function append(
  database: Kysely<Database>,
  entry: NewPolicyVersion,
  after: number,
): Promise<PolicyAppendResult> {
  const row = await database
    .insertInto('policy_versions')
    .values({
      version: after + 1,
      text: entry.text,
      digest: entry.digest,
      author_key_id: entry.authorKeyId ?? null,
      created_at: entry.createdAt,
      comment: entry.comment ?? null,
      restored_from: entry.restoredFrom ?? null,
    })
    .onConflict((conflict) => conflict.column('version').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row === undefined ? { type: 'stale' } : { type: 'appended', version: rowToVersion(row) };
}

function rowToSummary(row: Omit<Selectable<PolicyVersionsTable>, 'text'>): PolicyVersionSummary {
  return {
    version: row.version,
    digest: row.digest,
    authorKeyId: row.author_key_id ?? undefined,
    createdAt: row.created_at,
    comment: row.comment ?? undefined,
    restoredFrom: row.restored_from ?? undefined,
  };
}

function rowToVersion(row: Selectable<PolicyVersionsTable>): PolicyVersion {
  return { ...rowToSummary(row), text: row.text };
}
