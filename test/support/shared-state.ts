import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { stringify } from 'yaml';
import { rawRequest, type RawResponse } from './http.js';

/**
 * Real Postgres and Redis for end-to-end tests, each test in its own schema and key prefix.
 * Neither being reachable is a failure with a clear message, never a skip (ARCHITECTURE "Tests").
 */

export const postgresUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function postgresAddress(): { host: string; port: number } {
  const url = new URL(postgresUrl);
  return { host: url.hostname, port: Number(url.port === '' ? 5432 : url.port) };
}

export function redisAddress(): { host: string; port: number } {
  const url = new URL(redisUrl);
  return { host: url.hostname, port: Number(url.port === '' ? 6379 : url.port) };
}

/** `postgresUrl` with its host and port replaced (to go through a proxy). */
export function postgresUrlVia(port: number, host = '127.0.0.1'): string {
  const url = new URL(postgresUrl);
  url.hostname = host;
  url.port = String(port);
  return url.toString();
}

export function redisUrlVia(port: number, host = '127.0.0.1'): string {
  const url = new URL(redisUrl);
  url.hostname = host;
  url.port = String(port);
  return url.toString();
}

export interface IsolatedState {
  /** A Postgres schema no other test uses (created by the gateway, dropped by `cleanUp`). */
  readonly schema: string;
  /** A Redis key prefix no other test uses (its keys deleted by `cleanUp`). */
  readonly redisPrefix: string;
  /** Environment variables that point a gateway at this state (directly, not through a proxy). */
  readonly env: Readonly<Record<string, string>>;
  /** A pool on the test's schema, for reading what the gateways wrote. */
  readonly db: pg.Pool;
  cleanUp(): Promise<void>;
}

export async function isolatedState(label: string): Promise<IsolatedState> {
  const id = randomBytes(5).toString('hex');
  const schema = `gh_e2e_${label}_${id}`;
  const redisPrefix = `gatehouse-e2e:${label}:${id}:`;
  await assertPostgresReachable();
  await assertRedisReachable();
  const db = new pg.Pool({ connectionString: postgresUrl, max: 2, options: `-c search_path=${schema}` });
  return {
    schema,
    redisPrefix,
    env: {
      DATABASE_URL: postgresUrl,
      GATEHOUSE_DATABASE_SCHEMA: schema,
      REDIS_URL: redisUrl,
      GATEHOUSE_REDIS_PREFIX: redisPrefix,
    },
    db,
    async cleanUp() {
      await db.end().catch(() => undefined);
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
      const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (error) {
    throw new Error(
      `Postgres is unreachable at ${postgresUrl}: these end-to-end tests need it (set DATABASE_URL); they fail rather than skip`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function assertRedisReachable(): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 0, lazyConnect: true, connectTimeout: 5_000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is unreachable at ${redisUrl}: these end-to-end tests need it (set REDIS_URL); they fail rather than skip`,
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}

/** Writes a gateway configuration file (YAML) into a new temporary directory; returns its path. */
export function writeConfigFile(config: Record<string, unknown>): string {
  const directory = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-config-'));
  const path = join(directory, 'gatehouse.yaml');
  writeFileSync(path, stringify(config));
  return path;
}

export interface CreatedKey {
  readonly id: string;
  readonly secret: string;
}

/** Creates a virtual key through `POST /admin/keys` with the master key. */
export async function createKey(
  url: string,
  masterKey: string,
  body: Record<string, unknown>,
): Promise<CreatedKey> {
  const response = await rawRequest(`${url}/admin/keys`, {
    headers: { authorization: `Bearer ${masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status !== 201) {
    throw new Error(`POST /admin/keys answered ${response.status}: ${response.text}`);
  }
  const created = JSON.parse(response.text) as { id: string; key: string };
  return { id: created.id, secret: created.key };
}

/** A key with limits high enough never to matter, unless the test names its own. */
export const generousLimits = {
  requests_per_minute: 1_000_000,
  tokens_per_minute: 1_000_000_000,
  concurrent_requests: 100_000,
} as const;

export interface ChatOptions {
  readonly key: string;
  readonly body?: Record<string, unknown>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly requestId?: string;
}

/** One OpenAI-style chat completion through the gateway, on its own connection. */
export function chat(url: string, options: ChatOptions): Promise<RawResponse> {
  const body = options.body ?? { model: 'mock', messages: [{ role: 'user', content: 'Hello' }] };
  return rawRequest(`${url}/v1/chat/completions`, {
    headers: {
      authorization: `Bearer ${options.key}`,
      'content-type': 'application/json',
      ...(options.requestId === undefined ? {} : { 'x-request-id': options.requestId }),
      ...options.headers,
    },
    body: JSON.stringify(body),
  });
}

/** The `error` object of an OpenAI-style error answer. */
export function errorOf(response: RawResponse): { code?: string; message?: string; type?: string } {
  try {
    const parsed = JSON.parse(response.text) as {
      error?: { code?: string; message?: string; type?: string };
    };
    return parsed.error ?? {};
  } catch {
    return {};
  }
}

export interface UsageRow {
  readonly request_id: string;
  readonly key_id: string;
  readonly model: string;
  readonly provider: string | null;
  readonly target_model: string | null;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cost_usd: number;
  readonly status: number;
  readonly stream: boolean;
}

/** The usage records of one key (or of every key), read straight from the test's schema. */
export async function usageRows(db: pg.Pool, keyId?: string): Promise<UsageRow[]> {
  const result =
    keyId === undefined
      ? await db.query<UsageRow>('select * from usage_records order by id')
      : await db.query<UsageRow>('select * from usage_records where key_id = $1 order by id', [keyId]);
  // Integer and real columns come back as numbers (only bigint ones would be strings).
  return result.rows;
}

/** Polls `read` until `done` holds for its value; throws with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let value: T | undefined;
    let failure: unknown;
    try {
      value = await read();
      if (done(value)) return value;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}; last value: ${
          failure === undefined
            ? JSON.stringify(value)?.slice(0, 2_000)
            : failure instanceof Error
              ? failure.message
              : JSON.stringify(failure)
        }`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
