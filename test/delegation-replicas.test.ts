import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { isolatedState, type IsolatedState } from './support/shared-state.js';

/**
 * Revoking a grant revokes everything under it on every replica within a second: two real gateway
 * processes on one Postgres, told over Redis pub/sub when there is Redis, else by polling the
 * database. Each replica has the descendants cached (it has just accepted them) when the root is
 * revoked on the other.
 */

const pollIntervalMs = 50;

async function call(url: string, method: string, path: string, credential: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${credential}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function delegate(
  url: string,
  credential: string,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await call(url, 'POST', '/v1/agent/delegate', credential, {
    tenant_id: 'acme',
    confidence: 0.95,
    ...body,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
}

const authorizeStatus = async (url: string, token: string) =>
  (await call(url, 'POST', '/v1/agent/authorize', token, { action: 'read_invoice', confidence: 0.95 }))
    .status;

/** A root, a child and a grandchild made on `maker`, used on `user`, the root revoked on `maker`. */
async function revokeAndMeasure(maker: string, user: string, round: number): Promise<number> {
  const root = await delegate(maker, testMasterKey, {
    delegator: 'orchestrator',
    delegatee: `researcher-${round}`,
    scoped_to: ['read_*'],
  });
  const child = await delegate(maker, String(root.token), { delegatee: `reader-${round}` });
  const leaf = await delegate(user, String(child.token), { delegatee: `leaf-${round}` });
  for (const token of [child.token, leaf.token]) expect(await authorizeStatus(user, String(token))).toBe(200);

  const revoked = await call(maker, 'DELETE', `/v1/tokens/${String(root.token_id)}`, testMasterKey);
  const revokedAt = performance.now();
  expect(revoked.body.revoked_token_ids).toEqual([root.token_id, child.token_id, leaf.token_id]);

  let latencyMs = Number.POSITIVE_INFINITY;
  while (performance.now() - revokedAt < 5_000) {
    const sent = performance.now();
    if ((await authorizeStatus(user, String(leaf.token))) === 401) {
      latencyMs = performance.now() - revokedAt;
      break;
    }
    const wait = pollIntervalMs - (performance.now() - sent);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  for (const url of [maker, user])
    for (const token of [root.token, child.token, leaf.token])
      expect(await authorizeStatus(url, String(token))).toBe(401);
  return latencyMs;
}

function describeReplicas(label: string, withRedis: boolean): void {
  describe(`two gateway processes on one Postgres${withRedis ? ' and Redis' : ', without Redis (polling)'}`, () => {
    let state: IsolatedState;
    const replicas: (CliProcess & { url: string })[] = [];

    beforeAll(async () => {
      state = await isolatedState(label);
      const { REDIS_URL, GATEHOUSE_REDIS_PREFIX, ...database } = state.env;
      const env = withRedis
        ? { ...database, REDIS_URL: REDIS_URL ?? '', GATEHOUSE_REDIS_PREFIX: GATEHOUSE_REDIS_PREFIX ?? '' }
        : database;
      const started = await Promise.allSettled([0, 1].map(() => startCliGateway({ env })));
      for (const result of started) if (result.status === 'fulfilled') replicas.push(result.value);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    }, 30_000);

    afterAll(async () => {
      for (const replica of replicas) replica.kill();
      await Promise.all(replicas.map((replica) => replica.exited));
      await state?.cleanUp();
      for (const replica of replicas) rmSync(replica.cwd, { recursive: true, force: true });
    });

    it('refuses a revoked grant’s descendants on the other replica within one second', async () => {
      const [a, b] = [replicas[0]!.url, replicas[1]!.url];
      const latencies: number[] = [];
      for (let round = 0; round < 4; round++) {
        const [maker, user] = round % 2 === 0 ? [a, b] : [b, a];
        latencies.push(await revokeAndMeasure(maker, user, round));
      }
      console.info(
        `grant revocation reached the other replica after ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms (${label})`,
      );
      for (const latency of latencies) expect(latency).toBeLessThan(1_000);
    });
  });
}

describeReplicas('grants_redis', true);
describeReplicas('grants_poll', false);
