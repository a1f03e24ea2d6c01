import type { Kysely } from 'kysely';
import type { InsertResult, KeyPatch, KeyStore, StoredKey } from '../../keys/types.js';
import type { Database } from './database-schema.js';
import { keyToRow, patchToColumns, rowToKey } from './key-rows.js';
import type { SqlDialect } from './sql-dialect.js';
import { isUniqueViolation } from './unique-violation.js';

const uniqueName = { name: 'api_keys_name_unique', table: 'api_keys', column: 'name' } as const;

export function createSqlKeyStore(database: Kysely<Database>, dialect: SqlDialect): KeyStore {
  const isDuplicateName = (error: unknown): boolean => isUniqueViolation(error, dialect, uniqueName);

  return {
    async insert(key: StoredKey): Promise<InsertResult> {
      try {
        await database.insertInto('api_keys').values(keyToRow(key)).execute();
        return { type: 'inserted' };
      } catch (error) {
        if (isDuplicateName(error)) return { type: 'duplicate_name' };
        throw error;
      }
    },

    async findByHash(hash: string): Promise<StoredKey | undefined> {
      const row = await database
        .selectFrom('api_keys')
        .selectAll()
        .where('hash', '=', hash)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToKey(row);
    },

    async findById(id: string): Promise<StoredKey | undefined> {
      const row = await database.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : rowToKey(row);
    },

    async list(): Promise<readonly StoredKey[]> {
      const rows = await database
        .selectFrom('api_keys')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute();
      return rows.map(rowToKey);
    },

    async update(
      id: string,
      patch: KeyPatch,
      now: number,
    ): Promise<StoredKey | undefined | 'duplicate_name'> {
      try {
        const row = await database
          .updateTable('api_keys')
          .set({ ...patchToColumns(patch), updated_at: now })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        return row === undefined ? undefined : rowToKey(row);
      } catch (error) {
        if (isDuplicateName(error)) return 'duplicate_name';
        throw error;
      }
    },

    async revoke(id: string, now: number): Promise<StoredKey | undefined> {
      // Revoking twice keeps the first revocation time; `updated_at` moves so that every replica
      // polling `changedSince` sees the key again either way.
      const row = await database
        .updateTable('api_keys')
        .set((expression) => ({
          revoked_at: expression.fn.coalesce('revoked_at', expression.val(now)),
          updated_at: now,
        }))
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : rowToKey(row);
    },

    async changedSince(since: number): Promise<readonly StoredKey[]> {
      const rows = await database
        .selectFrom('api_keys')
        .selectAll()
        .where('updated_at', '>', since)
        .orderBy('updated_at')
        .orderBy('id')
        .execute();
      return rows.map(rowToKey);
    },
  };
}
