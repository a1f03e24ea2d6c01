import { randomUUID } from 'node:crypto';

/**
 * One request for human review, as stored: Lelu's review record (GOVERNANCE.md) plus what ties it
 * to its decision (the trace id, hashes, risk, policy digest) and its expiry.
 */

export type ReviewStatus = 'pending' | 'approved' | 'denied';
export type ReviewOutcome = 'approved' | 'denied';

/** A new review id: `rev_` and 32 hex digits (122 random bits, so ids cannot be guessed). */
export const newReviewId = (): string => `rev_${randomUUID().replaceAll('-', '')}`;

/** `resolved_by` of an item that nobody resolved before its TTL ran out. */
export const expiredResolver = 'expired';

export interface ReviewItem {
  /** `rev_…`: the review id the authorize answer carries. */
  readonly id: string;
  readonly tenantId: string;
  /** The agent whose action waits. */
  readonly actor: string;
  readonly action: string;
  readonly resource: Readonly<Record<string, string>>;
  /** The confidence the decision used (Lelu's `confidence_used`: 0 when none was usable). */
  readonly confidenceScore: number;
  /** Why the decision asked for a review. */
  readonly reason: string;
  readonly actingFor: string | undefined;
  /** The decision's trace id: the item is found by it as well as by its id. */
  readonly traceId: string;
  readonly riskScore: number;
  readonly policyDigest: string;
  /** SHA-256 of the authorize request, as the answer's `input_hash`. */
  readonly inputHash: string;
  /** SHA-256 of the canonical JSON of the action's `args`; undefined when none were sent. */
  readonly argsHash: string | undefined;
  /**
   * The policies that let the decision through to review (its permits); empty when none is known
   * (items queued before they were recorded). Analytics measures their effectiveness by outcome.
   */
  readonly policyIds: readonly string[];
  /** Unix milliseconds. */
  readonly enqueuedAt: number;
  /** Unix milliseconds: still pending then, the item is denied as expired. */
  readonly expiresAt: number;
  readonly status: ReviewStatus;
  readonly resolvedAt: number | undefined;
  /** Who resolved it, as they named themselves (`expired` for an expiry). */
  readonly resolvedBy: string | undefined;
  readonly resolutionNote: string | undefined;
  /** The key that resolved it (`master`, `key_…`, `cli`); undefined while pending or expired. */
  readonly resolverKeyId: string | undefined;
}

export interface Resolution {
  readonly status: ReviewOutcome;
  readonly resolvedBy: string;
  readonly resolutionNote: string | undefined;
  readonly resolverKeyId: string | undefined;
  /** Unix milliseconds. */
  readonly resolvedAt: number;
}

/** The resolution an item gets when its TTL runs out while it is still pending. */
export function expiryResolution(item: Pick<ReviewItem, 'expiresAt'>): Resolution {
  return {
    status: 'denied',
    resolvedBy: expiredResolver,
    resolutionNote: 'not reviewed before the review TTL ran out',
    resolverKeyId: undefined,
    resolvedAt: item.expiresAt,
  };
}

/**
 * The item as it stands at `now`: a pending item past its expiry reads as denied by expiry, even
 * before a sweeper has written that down, so every reader and waiter sees the same outcome.
 */
export function itemAt(item: ReviewItem, now: number): ReviewItem {
  if (item.status !== 'pending' || now < item.expiresAt) return item;
  return { ...item, ...expiryResolution(item) };
}

export function isResolved(item: ReviewItem): boolean {
  return item.status !== 'pending';
}
