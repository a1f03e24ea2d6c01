import { Redis } from 'ioredis';
import { createInProcessWakeChannel, type ReviewWakeChannel } from '../governance/review/index.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import { createRedisWakeChannel } from '../stores/redis/redis-review-channel.js';
import type { SqlStores } from '../stores/sql/index.js';
import { createPostgresWakeChannel, reviewChannelName } from '../stores/sql/postgres-review-channel.js';

export interface WakeChannelNeeds {
  readonly redis: RedisConnection | undefined;
  readonly stores: Pick<SqlStores, 'dialect' | 'notify'>;
  readonly databaseUrl: string | undefined;
  readonly databaseSchema: string | undefined;
  readonly onError: (error: unknown, message: string) => void;
}

export type OpenWakeChannel = ReviewWakeChannel & {
  readonly kind: 'redis' | 'postgres' | 'in_process';
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
};

/**
 * The channel that carries review resolutions between replicas (and from `gatehouse review`):
 * Redis pub/sub when Redis is configured, else Postgres LISTEN/NOTIFY when the database is
 * Postgres, else in process (one replica on the embedded database). The gateway and the command
 * line choose alike, so that they always speak on the same channel.
 */
export function openReviewWakeChannel(needs: WakeChannelNeeds): OpenWakeChannel {
  const { redis, stores } = needs;
  // Pub/sub channels are not key-prefixed by the client: the prefix goes into the channel name.
  if (redis !== undefined && redis.client instanceof Redis)
    return { kind: 'redis', ...createRedisWakeChannel(redis.client, `${redis.keyPrefix}review`) };
  if (stores.dialect === 'postgres' && stores.notify !== undefined && needs.databaseUrl !== undefined) {
    const channel = createPostgresWakeChannel({
      databaseUrl: needs.databaseUrl,
      channel: reviewChannelName(needs.databaseSchema),
      notify: stores.notify,
      onError: needs.onError,
    });
    return { kind: 'postgres', ...channel };
  }
  return {
    kind: 'in_process',
    ...createInProcessWakeChannel(),
    ready: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
