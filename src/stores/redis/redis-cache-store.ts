import type { Cluster, Redis } from 'ioredis';
import type { CacheKey, SharedCacheStore, TagSelector } from '../../caching/index.js';

export interface RedisCacheStoreOptions {
  /** The shared client; its own `keyPrefix` (if any) comes before `namespace`. */
  readonly client: Redis | Cluster;
  /** Default `cache:v1:`. */
  readonly namespace?: string | undefined;
  /**
   * Bounds every entry's TTL (the cache's `max_ttl_seconds`); scope indexes live this long after
   * their last write, so an index always outlives the entries it lists.
   */
  readonly maxTtlSeconds: number;
  /** Told about failed commands (the shared connection re-establishes itself after a timeout). */
  readonly reportFailure?: ((error: unknown) => void) | undefined;
  /**
   * Bounds a request-path command (a lookup, a write) by the connection's short deadline, the same
   * one the limiter's commands have: a Redis that accepts connections but never answers must cost a
   * request about that much (a lookup becomes a miss, a write is dropped), not the client's backstop.
   * Purges and counts are administrative and keep the backstop alone.
   */
  readonly withDeadline?: (<T>(command: Promise<T>) => Promise<T>) | undefined;
  /** Unix milliseconds. */
  readonly now?: (() => number) | undefined;
}

/** Entries unlinked per command during a purge. */
const purgeBatch = 500;

/**
 * L2 on Redis. Layout, per scope (all in the scope's hash slot, so multi-key commands work on a
 * Redis Cluster):
 *   `<ns>{<scopeTag>}:<modelTag>:<hash>`  the serialised answer, with SET EX
 *   `<ns>{<scopeTag>}:index`              sorted set of `<modelTag>:<hash>` scored by expiry (ms),
 *                                          pruned of expired members on every write
 *   `<ns>scopes`                          set of scope tags that have an index
 * A purge reads the indexes instead of SCANning the keyspace. Commands fail at once while the
 * client is not connected (it has no offline queue), so an outage costs callers nothing.
 */
export function createRedisCacheStore(options: RedisCacheStoreOptions): SharedCacheStore {
  const { client } = options;
  const namespace = options.namespace ?? 'cache:v1:';
  const now = options.now ?? Date.now;
  const scopesKey = `${namespace}scopes`;
  const scopePrefix = (scopeTag: string) => `${namespace}{${scopeTag}}:`;
  const indexKey = (scopeTag: string) => `${scopePrefix(scopeTag)}index`;
  const dataKey = (key: CacheKey) => `${scopePrefix(key.scopeTag)}${key.modelTag}:${key.hash}`;

  const withDeadline = options.withDeadline ?? (<T>(command: Promise<T>) => command);

  async function run<T>(command: () => Promise<T>, bounded = false): Promise<T> {
    if (client.status !== 'ready') throw new Error(`Redis is not connected (${client.status})`);
    try {
      return await (bounded ? withDeadline(command()) : command());
    } catch (error) {
      options.reportFailure?.(error);
      throw error;
    }
  }

  async function exec(transaction: ReturnType<Redis['multi']>): Promise<unknown[]> {
    const replies = await transaction.exec();
    if (replies === null) throw new Error('Redis aborted the cache transaction');
    return replies.map(([error, reply]) => {
      if (error !== null) throw error;
      return reply;
    });
  }

  async function purgeScope(scopeTag: string, modelTag: string | undefined): Promise<number> {
    const index = indexKey(scopeTag);
    const members = await client.zrange(index, 0, -1);
    const selected =
      modelTag === undefined ? members : members.filter((member) => member.startsWith(`${modelTag}:`));
    let removed = 0;
    for (let start = 0; start < selected.length; start += purgeBatch) {
      const batch = selected.slice(start, start + purgeBatch);
      const replies = await exec(
        client
          .multi()
          .unlink(...batch.map((member) => `${scopePrefix(scopeTag)}${member}`))
          .zrem(index, ...batch),
      );
      removed += Number(replies[0]);
    }
    if (modelTag === undefined || (await client.zcard(index)) === 0) {
      await client.del(index);
      await client.srem(scopesKey, scopeTag);
    }
    return removed;
  }

  return {
    get: (key) => run(async () => (await client.get(dataKey(key))) ?? undefined, true),
    set: (key, value, ttlSeconds) =>
      run(async () => {
        const time = now();
        const ttl = Math.max(1, Math.min(Math.ceil(ttlSeconds), options.maxTtlSeconds));
        const index = indexKey(key.scopeTag);
        await Promise.all([
          exec(
            client
              .multi()
              .set(dataKey(key), value, 'EX', ttl)
              .zadd(index, time + ttl * 1_000, `${key.modelTag}:${key.hash}`)
              .zremrangebyscore(index, '-inf', time)
              .expire(index, options.maxTtlSeconds),
          ),
          client.sadd(scopesKey, key.scopeTag),
        ]);
      }, true),
    purge: (selector: TagSelector) =>
      run(async () => {
        const scopes =
          selector.scopeTag === undefined ? await client.smembers(scopesKey) : [selector.scopeTag];
        let removed = 0;
        for (const scopeTag of scopes) removed += await purgeScope(scopeTag, selector.modelTag);
        return removed;
      }),
    count: () =>
      run(async () => {
        const time = now();
        const scopes = await client.smembers(scopesKey);
        const counts = await Promise.all(
          scopes.map((scopeTag) => client.zcount(indexKey(scopeTag), time, '+inf')),
        );
        return counts.reduce((sum, count) => sum + count, 0);
      }),
  };
}
