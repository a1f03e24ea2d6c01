import type { Kysely } from 'kysely';
import {
  automaticResolverKeyId,
  type ReviewOutcomeStore,
} from '../../governance/analytics/prediction/index.js';
import type { Database } from './database-schema.js';
import { rowToItem } from './sql-review-store.js';

/**
 * The reviews the models learn from, read from `review_items` (migrations 0004 and 0008) on SQLite
 * and Postgres alike: resolved by a person (a resolving key that is not the prediction's; an
 * expiry has none) within the window, the most recent first through the `resolved_at` index, then
 * put oldest first for the caller.
 */
export function createSqlReviewOutcomeStore(database: Kysely<Database>): ReviewOutcomeStore {
  return {
    async reviewedSince(query) {
      const rows = await database
        .selectFrom('review_items')
        .selectAll()
        .where('resolved_at', '>=', query.since)
        .where('status', 'in', ['approved', 'denied'])
        .where('resolver_key_id', 'is not', null)
        .where('resolver_key_id', '<>', automaticResolverKeyId)
        .orderBy('resolved_at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit)
        .execute();
      return rows.map(rowToItem).reverse();
    },
  };
}
