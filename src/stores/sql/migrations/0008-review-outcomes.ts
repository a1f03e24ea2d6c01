import type { Kysely, Migration } from 'kysely';

/**
 * The review-outcome model and the confidence calibrator read the reviews resolved within a window,
 * most recent first (docs/governance.md, "Prediction and calibration"): an index on the resolution
 * time serves that range and its order without scanning the queue's whole history.
 */
export function reviewOutcomes(): Migration {
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema
        .createIndex('review_items_resolved_at')
        .on('review_items')
        .columns(['resolved_at', 'id'])
        .execute();
    },
  };
}
