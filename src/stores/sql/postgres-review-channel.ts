import { createHash } from 'node:crypto';
import pg from 'pg';
import {
  createListenerSet,
  createReadyLatch,
  type ReviewWakeChannel,
} from '../../governance/review/index.js';

export interface PostgresWakeChannelOptions {
  readonly databaseUrl: string;
  /** The NOTIFY channel (see `reviewChannelName`). */
  readonly channel: string;
  /** Sends one notification (the stores' pool: `select pg_notify(channel, payload)`). */
  readonly notify: (channel: string, payload: string) => Promise<void>;
  readonly onError: (error: unknown, message: string) => void;
  /** First delay before reconnecting a lost listener; doubles up to 5 s. */
  readonly reconnectDelayMs?: number;
}

/**
 * The NOTIFY channel of a deployment's review queue. Channels are database-wide, so a configured
 * schema (a deployment, or a test run, sharing the database with others) gets a channel of its own;
 * hashed, because channel names are identifiers of at most 63 bytes.
 */
export function reviewChannelName(schema: string | undefined): string {
  if (schema === undefined) return 'gatehouse_review';
  return `gatehouse_review_${createHash('sha256').update(schema).digest('hex').slice(0, 24)}`;
}

/**
 * Review resolutions announced over Postgres LISTEN/NOTIFY, for deployments on Postgres without
 * Redis. The listener is a dedicated connection (a pooled one would be handed to other queries
 * and lose its LISTEN), re-established after an error or a server restart; messages lost while it
 * is away are covered by the waiters' backstop reads. A notification is only the item's id.
 */
export function createPostgresWakeChannel(
  options: PostgresWakeChannelOptions,
): ReviewWakeChannel & { ready(timeoutMs: number): Promise<boolean>; close(): Promise<void> } {
  const listeners = createListenerSet();
  const firstDelay = options.reconnectDelayMs ?? 250;
  let delay = firstDelay;
  let client: pg.Client | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const latch = createReadyLatch();

  const reconnectLater = (broken: pg.Client): void => {
    if (closed || client !== broken) return;
    client = undefined;
    broken.end().catch(() => undefined);
    retry = setTimeout(() => void connect(), delay);
    delay = Math.min(delay * 2, 5_000);
  };

  async function connect(): Promise<void> {
    const next = new pg.Client({
      connectionString: options.databaseUrl,
      keepAlive: true,
      application_name: 'gatehouse-review-listener',
      connectionTimeoutMillis: 5_000,
    });
    client = next;
    next.on('notification', (message) => {
      if (message.channel === options.channel && message.payload !== undefined)
        listeners.deliver(message.payload);
    });
    next.on('error', (error) => {
      options.onError(error, 'the review queue listener lost its database connection');
      reconnectLater(next);
    });
    next.on('end', () => reconnectLater(next));
    try {
      await next.connect();
      await next.query(`listen "${options.channel}"`);
      if (client !== next || closed) return;
      delay = firstDelay;
      latch.open();
    } catch (error) {
      options.onError(error, 'the review queue listener could not connect');
      reconnectLater(next);
    }
  }
  void connect();

  return {
    publish: (id) => options.notify(options.channel, id),
    subscribe: listeners.subscribe,
    ready: (timeoutMs) => latch.wait(timeoutMs),
    async close() {
      closed = true;
      if (retry !== undefined) clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
