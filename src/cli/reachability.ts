import pg from 'pg';
import { pino } from 'pino';
import { createRedisConnection } from '../stores/redis/redis-client.js';

/**
 * `gatehouse check`'s probes of shared state: a real round trip to each (Postgres `select 1`, Redis
 * `PING`), never a write and never a migration. Each resolves with undefined when it answered, or
 * with what went wrong.
 */
export async function checkPostgres(url: string, timeoutMs: number): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  const connection = createRedisConnection({
    url,
    logger: pino({ level: 'silent' }),
    connectTimeoutMs: timeoutMs,
    commandTimeoutMs: timeoutMs,
    connectionName: 'gatehouse-check',
  });
  try {
    if (!(await connection.ready(timeoutMs))) {
      return `no answer within ${timeoutMs} ms${describeLast(connection.health().lastError)}`;
    }
    await connection.ping();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await connection.close();
  }
}

function describeLast(error: string | undefined): string {
  return error === undefined ? '' : ` (${error})`;
}
