import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import { noReviewAdvice, type ReviewAdvisor } from '../governance/analytics/prediction/index.js';
import { reviewAuditEvent, type AuditTrail } from '../governance/audit/index.js';
import type { AgentAuthorizeAnswer, AuthorizeRequest } from '../governance/index.js';
import {
  createReviewQueue,
  newReviewId,
  reviewDetailsOf,
  startReviewSweeper,
  type ReviewEvents,
  type ReviewItem,
  type ReviewQueue,
} from '../governance/review/index.js';
import { registerQueueRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import type { NotificationEvent } from '../notifications/index.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';
import { openReviewWakeChannel } from './review-wake-channel.js';

export interface ReviewNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly redis: RedisConnection | undefined;
  readonly keys: KeyService;
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The notification channels: every new review is announced (`review.created`). */
  readonly notify: (event: NotificationEvent) => void;
  /** Where reviews queued and resolved are recorded. */
  readonly audit: AuditTrail;
  /**
   * The review-outcome model: its prediction on pending items, automatic resolution of new ones
   * when configured, and every resolution to learn from (prediction-assembler.ts); absent: none.
   */
  readonly advisor?: ReviewAdvisor;
  /** Told of every review resolved on this replica (analytics' reputations). */
  readonly onResolved?: (item: ReviewItem) => void;
}

export interface ReviewParts {
  readonly queue: ReviewQueue;
  /** The authorizer's seam: stores the review of a `human_review` answer, resolves with its id. */
  readonly queueReview: (
    request: AuthorizeRequest,
    answer: AgentAuthorizeAnswer,
    policyIds: readonly string[],
  ) => Promise<string>;
}

/** Expiries are written down this often at most (readers and waiters see them at once anyway). */
const maxSweepIntervalMs = 30_000;

/** The notification of a new review (sent unless the review was resolved automatically at once). */
export function reviewCreatedNotification(item: ReviewItem): NotificationEvent {
  return {
    kind: 'review.created',
    reviewId: item.id,
    tenantId: item.tenantId,
    actor: item.actor,
    action: item.action,
    resource: item.resource,
    reason: item.reason,
    traceId: item.traceId,
    actingFor: item.actingFor,
    confidence: item.confidenceScore,
  };
}

/**
 * Review events: an audit record and a log line each; resolutions are told to the advisor and to
 * analytics too.
 */
export function reviewEvents(
  logger: Logger,
  audit: AuditTrail,
  advisor: ReviewAdvisor,
  onResolved?: (item: ReviewItem) => void,
): ReviewEvents {
  const fields = (item: ReviewItem) => ({
    id: item.id,
    traceId: item.traceId,
    tenantId: item.tenantId,
    actor: item.actor,
    action: item.action,
    status: item.status,
    resolvedBy: item.resolvedBy,
  });
  return {
    created(item) {
      audit.append(reviewAuditEvent(item, 'review.created'));
      logger.info({ review: fields(item) }, 'review created');
    },
    resolved(item) {
      audit.append(reviewAuditEvent(item, 'review.resolved'));
      logger.info({ review: fields(item) }, 'review resolved');
      advisor.resolved(item);
      onResolved?.(item);
    },
  };
}

/**
 * The human-review queue: in the database, woken across replicas over the wake channel (Redis,
 * else Postgres LISTEN/NOTIFY, else in process), with a sweeper that writes expiries down, its
 * routes, and the seam the authorizer queues `human_review` decisions through.
 */
export async function assembleReview(needs: ReviewNeeds): Promise<Contribution<ReviewParts>> {
  const { config, stores, logger, metrics } = needs;
  const onError = (error: unknown, message: string): void => logger.warn({ err: error }, message);
  const channel = openReviewWakeChannel({
    redis: needs.redis,
    stores,
    databaseUrl: config.database_url,
    databaseSchema: config.database_schema,
    onError,
  });
  // Waiters subscribe to this channel: give it a moment to hear before the first requests.
  if (!(await channel.ready(2_000)))
    logger.warn(
      `the review wake channel (${channel.kind}) is not listening yet; waits fall back to re-reads`,
    );
  const ttlMs = config.governance.review.ttl_seconds * 1_000;
  const advisor = needs.advisor ?? noReviewAdvice;
  const queue = createReviewQueue({
    store: stores.reviews,
    channel,
    events: reviewEvents(logger, needs.audit, advisor, needs.onResolved),
    observer: metrics,
    ttlMs,
    now: Date.now,
    newId: newReviewId,
    onError,
  });
  metrics.readPendingReviewsFrom(() => queue.countPending());
  const sweeper = startReviewSweeper(queue, Math.min(maxSweepIntervalMs, ttlMs), onError);
  return {
    parts: {
      queue,
      async queueReview(request, answer, policyIds) {
        let item: ReviewItem;
        try {
          item = await queue.enqueue(reviewDetailsOf(request, answer, policyIds));
        } catch (error) {
          logger.error({ err: error, traceId: answer.trace_id }, 'queueing a review failed');
          throw error;
        }
        // A review the model resolves at once needs no person: nobody is called to it.
        const resolved = await advisor.queued(item, (id, resolution) => queue.resolve(id, resolution));
        if (!resolved) needs.notify(reviewCreatedNotification(item));
        return item.id;
      },
    },
    close: async () => {
      await sweeper.stop();
      await channel.close();
    },
    routes: [
      (app) =>
        registerQueueRoutes(app, {
          queue,
          keys: needs.keys,
          codec: needs.codec,
          predict: (item) => advisor.predictionFor(item),
        }),
    ],
  };
}
