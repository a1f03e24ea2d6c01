import type { ReviewItem } from '../../review/index.js';

/**
 * What the models need from the database (implemented in stores/sql, on SQLite and Postgres): the
 * reviews people resolved recently. Read off the request path, by the trainer only.
 */

/** `resolver_key_id` of a review the prediction resolved: no API key has this id. */
export const automaticResolverKeyId = 'prediction';
/** `resolved_by` of a review the prediction resolved. */
export const automaticResolvedBy = 'gatehouse:prediction';

export interface ReviewOutcomeQuery {
  /** Unix milliseconds: resolved at or after this. */
  readonly since: number;
  /** The most recently resolved this many at most. */
  readonly limit: number;
}

export interface ReviewOutcomeStore {
  /**
   * Items a person resolved — approved or denied with a key, on the queue routes or the command
   * line — at or after `since`: the `limit` most recent, returned oldest first (by resolution time,
   * then id). Expiries (resolved by no key) and automatic resolutions are not reviews.
   */
  reviewedSince(query: ReviewOutcomeQuery): Promise<readonly ReviewItem[]>;
}

/** Whether a person resolved this item (what `reviewedSince` returns). */
export function resolvedByPerson(item: Pick<ReviewItem, 'status' | 'resolverKeyId'>): boolean {
  return (
    item.status !== 'pending' &&
    item.resolverKeyId !== undefined &&
    item.resolverKeyId !== automaticResolverKeyId
  );
}
