import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import {
  createKey,
  eventually,
  isolatedState,
  postgresUrl,
  redisUrl,
  type IsolatedState,
} from './support/shared-state.js';

/**
 * The Cedar policy's lifecycle across two replicas sharing Postgres: a change stored through one
 * is in force on the other within a second (over Redis pub/sub, and by polling without Redis),
 * stale and invalid changes are refused leaving the policy in force, rollback restores an old text
 * as a new version, and every change is an event.
 */

const initialPolicy = '@id("read") permit(principal, action == Action::"read_invoice", resource);';
const secondPolicy = `${initialPolicy}\n@id("never-delete") forbid(principal, action == Action::"delete_invoice", resource);`;

interface PolicyAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly etag: string | null;
}

async function call(
  gateway: TestGateway,
  method: string,
  path: string,
  options: { key?: string; body?: string; contentType?: string; ifMatch?: string } = {},
): Promise<PolicyAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.key ?? gateway.masterKey}` };
  if (options.contentType !== undefined) headers['content-type'] = options.contentType;
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  const response = await fetch(`${gateway.url}${path}`, { method, headers, body: options.body ?? null });
  return {
    status: response.status,
    body: (await response.json()) as Record<string, unknown>,
    etag: response.headers.get('etag'),
  };
}

const put = (gateway: TestGateway, text: string, ifMatch?: string, key?: string) =>
  call(gateway, 'PUT', '/v1/policy', {
    body: text,
    contentType: 'text/plain',
    ...(ifMatch === undefined ? {} : { ifMatch }),
    ...(key === undefined ? {} : { key }),
  });

/** Polls B's `GET /v1/policy` until it reports `digest`; a hang fails after 3 s. */
async function inForceOn(gateway: TestGateway, digest: string): Promise<number> {
  const started = Date.now();
  await eventually(
    () => call(gateway, 'GET', '/v1/policy'),
    (answer) => answer.body.digest === digest,
    3_000,
    `digest ${digest} on the second replica`,
    50,
  );
  return Date.now() - started;
}

function changeEvents(gateway: TestGateway): Record<string, unknown>[] {
  return gateway
    .logRecords()
    .filter((record) => record.msg === 'policy changed')
    .map((record) => record.event as Record<string, unknown>);
}

function describeReplicas(label: string, withRedis: boolean): void {
  describe(`two replicas sharing Postgres${withRedis ? ' and Redis' : ' without Redis (polling)'}`, () => {
    let state: IsolatedState;
    let a: TestGateway;
    let b: TestGateway;

    beforeAll(async () => {
      state = await isolatedState(label);
      const shared = {
        database_url: postgresUrl,
        database_schema: state.schema,
        ...(withRedis ? { redis_url: redisUrl, redis_key_prefix: state.redisPrefix } : {}),
        governance: { policy: { cedar: initialPolicy } },
      };
      a = await startTestGateway(shared);
      b = await startTestGateway(shared);
    }, 30_000);

    afterAll(async () => {
      await a?.close();
      await b?.close();
      await state?.cleanUp();
    });

    it('starts both from governance.policy.cedar, stored once as version 1', async () => {
      for (const gateway of [a, b]) {
        const current = await call(gateway, 'GET', '/v1/policy');
        expect(current.status).toBe(200);
        expect(current.body).toMatchObject({ version: 1, policy: initialPolicy, author_key_id: 'config' });
        expect(current.etag).toBe(`"${String(current.body.digest)}"`);
      }
      const versions = await call(a, 'GET', '/v1/policy/versions');
      expect((versions.body.data as unknown[]).length).toBe(1);
    });

    it('puts a change in force on the other replica within a second, and refuses a stale If-Match', async () => {
      const before = await call(a, 'GET', '/v1/policy');
      const stored = await put(a, secondPolicy, String(before.body.digest));
      expect(stored.status).toBe(200);
      expect(stored.body).toMatchObject({ version: 2, previous_digest: before.body.digest });
      const elapsed = await inForceOn(b, String(stored.body.digest));
      console.log(`policy change in force on the other replica after ${elapsed} ms (${label})`);

      const stale = await put(b, `${secondPolicy}\n`, String(before.body.digest));
      expect(stale.status).toBe(412);
      expect(stale.body.error).toMatchObject({ code: 'precondition_failed' });
      expect((await call(b, 'GET', '/v1/policy')).body.digest).toBe(stored.body.digest);
    });

    it('refuses an invalid policy with the parser message and keeps the one in force', async () => {
      const before = await call(a, 'GET', '/v1/policy');
      const refused = await put(b, 'permit(principal, action, resource', String(before.body.digest));
      expect(refused.status).toBe(400);
      const error = refused.body.error as { code: string; message: string; param: string };
      expect(error.code).toBe('invalid_request');
      expect(error.message).toMatch(/not valid Cedar: unexpected end of input/);
      const validated = await call(a, 'POST', '/v1/policy/validate', {
        body: 'permit(',
        contentType: 'text/plain',
      });
      expect(validated.status).toBe(400);
      for (const gateway of [a, b])
        expect((await call(gateway, 'GET', '/v1/policy')).body.digest).toBe(before.body.digest);
    });

    it('rolls back to an old version as a new one, in force on both', async () => {
      const first = (await call(a, 'GET', '/v1/policy/versions/1')).body;
      const rolled = await call(b, 'POST', '/v1/policy/rollback', {
        body: JSON.stringify({ version: 1, comment: 'undo the forbid' }),
        contentType: 'application/json',
      });
      expect(rolled.status).toBe(200);
      expect(rolled.body).toMatchObject({
        version: 3,
        digest: first.digest,
        restored_from: 1,
        comment: 'undo the forbid',
      });
      await inForceOn(a, String(first.digest));
      const versions = (await call(a, 'GET', '/v1/policy/versions')).body.data as { version: number }[];
      expect(versions.map((version) => version.version)).toEqual([3, 2, 1]);
      const unknown = await call(a, 'POST', '/v1/policy/rollback', {
        body: '{"version":99}',
        contentType: 'application/json',
      });
      expect(unknown.status).toBe(404);
    });

    it('emits every change as an event, on the replica that made it', () => {
      const events = [...changeEvents(a), ...changeEvents(b)];
      expect(events.map((event) => [event.change, event.version]).sort()).toEqual([
        ['initial', 1],
        ['put', 2],
        ['rollback', 3],
      ]);
      expect(events.find((event) => event.change === 'put')).toMatchObject({
        authorKeyId: 'master',
        previousVersion: 1,
      });
    });

    it('lets only admins change or read the policy', async () => {
      const user = await createKey(a.url, a.masterKey, { name: `policy-user-${label}` });
      const adminKey = await createKey(a.url, a.masterKey, { name: `policy-admin-${label}`, role: 'admin' });
      const current = await call(a, 'GET', '/v1/policy');
      const refused = await put(a, secondPolicy, String(current.body.digest), user.secret);
      expect(refused.status).toBe(403);
      expect((refused.body.error as { code: string }).code).toBe('permission_denied');
      expect((await call(a, 'GET', '/v1/policy', { key: user.secret })).status).toBe(403);
      expect((await call(a, 'GET', '/v1/policy', { key: 'gh-not-a-key' })).status).toBe(401);
      const stored = await put(b, secondPolicy, String(current.body.digest), adminKey.secret);
      expect(stored.status).toBe(200);
      expect(stored.body.author_key_id).toBe(adminKey.id);
      await inForceOn(a, String(stored.body.digest));
    });
  });
}

describeReplicas('policy_redis', true);
describeReplicas('policy_poll', false);
