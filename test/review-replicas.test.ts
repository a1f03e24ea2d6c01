import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { createKey, isolatedState, writeConfigFile, type IsolatedState } from './support/shared-state.js';

/**
 * The review queue across two gateway processes sharing Postgres — with Redis (pub/sub wakes) and
 * without it (Postgres LISTEN/NOTIFY): a waiter on one replica returns within 200 ms of an approval
 * on the other, two reviewers racing on the two replicas produce one outcome, and `gatehouse
 * review approve` (a third process) wakes waiters on both.
 */

const policy = [
  '@id("agents-may-act") permit(principal is Agent, action, resource);',
  '@id("wires-need-review") @decision("human_review") permit(principal, action == Action::"wire_money", resource);',
].join('\n');

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

async function call(url: string, method: string, path: string, key: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Resolves with the answer and the moment it arrived. */
async function timed(answer: Promise<Answer>): Promise<Answer & { readonly at: number }> {
  const settled = await answer;
  return { ...settled, at: performance.now() };
}

const settle = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

function describeReplicas(label: string, withRedis: boolean): void {
  describe(`two gateway processes on Postgres ${withRedis ? 'and Redis (pub/sub)' : 'alone (LISTEN/NOTIFY)'}`, () => {
    let state: IsolatedState;
    let env: Record<string, string>;
    let configPath: string;
    let a: CliProcess & { url: string };
    let b: CliProcess & { url: string };
    let reviewer: string;

    beforeAll(async () => {
      state = await isolatedState(label);
      const { REDIS_URL: _redis, GATEHOUSE_REDIS_PREFIX: _prefix, ...withoutRedis } = state.env;
      env = withRedis ? { ...state.env } : withoutRedis;
      configPath = writeConfigFile({
        governance: { confidence: { allow_unverified: true }, policy: { cedar: policy } },
      });
      const start = () => startCliGateway({ env, args: ['--config', configPath] });
      a = await start();
      b = await start();
      reviewer = (await createKey(a.url, testMasterKey, { name: `reviewer-${label}`, role: 'reviewer' }))
        .secret;
    }, 60_000);

    afterAll(async () => {
      for (const replica of [a, b]) {
        replica?.kill();
        await replica?.exited;
      }
      await state?.cleanUp();
    });

    async function review(): Promise<{ id: string; traceId: string }> {
      const answer = await call(a.url, 'POST', '/v1/agent/authorize', testMasterKey, {
        tenant_id: 'acme',
        actor: 'pay-bot',
        action: 'wire_money',
        confidence: 0.95,
      });
      expect(answer.body.decision).toBe('human_review');
      return { id: String(answer.body.review_id), traceId: String(answer.body.trace_id) };
    }

    it('wakes a waiter on one replica within 200 ms of an approval on the other', async () => {
      const { id, traceId } = await review();
      // Waiting on the trace id, as Lelu's SDK does, on the replica that did not approve.
      const waiting = timed(call(a.url, 'GET', `/v1/queue/${traceId}/wait?timeout_ms=20000`, testMasterKey));
      await settle(300);
      const approved = await timed(
        call(b.url, 'POST', `/v1/queue/${id}/approve`, reviewer, { resolved_by: 'ada' }),
      );
      expect(approved.status).toBe(200);
      const waited = await waiting;
      expect(waited).toMatchObject({ status: 200, body: { id, status: 'approved', resolved_by: 'ada' } });
      const lag = waited.at - approved.at;
      console.log(`waiter on the other replica answered ${lag.toFixed(1)} ms after the approval (${label})`);
      expect(lag).toBeLessThan(200);
    });

    it('listens on the channel it should, one subscription per replica', async () => {
      if (withRedis) {
        const { Redis } = await import('ioredis');
        const redis = new Redis(env.REDIS_URL!);
        try {
          const [, subscribers] = (await redis.pubsub('NUMSUB', `${env.GATEHOUSE_REDIS_PREFIX}review`)) as [
            string,
            number,
          ];
          expect(subscribers).toBe(2);
        } finally {
          redis.disconnect();
        }
      } else {
        expect(await listeners()).toBe(2);
      }
    });

    if (!withRedis) {
      it('listens again after its listening connection is killed, and still wakes waiters at once', async () => {
        const before = await listenerPids();
        expect(before).toHaveLength(2);
        await state.db.query('select pg_terminate_backend(pid) from unnest($1::int[]) as pid', [before]);
        const deadline = Date.now() + 10_000;
        const replaced = async () => (await listenerPids()).filter((pid) => !before.includes(pid)).length;
        while ((await replaced()) < 2 && Date.now() < deadline) await settle(100);
        expect(await replaced()).toBe(2);
        const { id } = await review();
        const waiting = timed(call(b.url, 'GET', `/v1/queue/${id}/wait?timeout_ms=20000`, testMasterKey));
        await settle(300);
        const approved = await timed(call(a.url, 'POST', `/v1/queue/${id}/approve`, reviewer));
        expect((await waiting).status).toBe(200);
        expect((await waiting).at - approved.at).toBeLessThan(200);
      });
    }

    /** The replicas' LISTEN connections on this test's channel (their last query names it). */
    async function listenerPids(): Promise<number[]> {
      const result = await state.db.query<{ pid: number }>(
        `select pid from pg_stat_activity where application_name = 'gatehouse-review-listener' and query ilike $1`,
        [`%${channelSuffix()}%`],
      );
      return result.rows.map((row) => row.pid);
    }
    const listeners = async () => (await listenerPids()).length;

    function channelSuffix(): string {
      return createHash('sha256').update(state.schema).digest('hex').slice(0, 24);
    }

    it('lets one of two reviewers racing on the two replicas win; the other gets 409 with that outcome', async () => {
      for (let round = 0; round < 5; round += 1) {
        const { id } = await review();
        const [onA, onB] = await Promise.all([
          call(a.url, 'POST', `/v1/queue/${id}/approve`, reviewer, { resolved_by: 'ada' }),
          call(b.url, 'POST', `/v1/queue/${id}/deny`, testMasterKey, { resolved_by: 'bo' }),
        ]);
        expect([onA.status, onB.status].sort()).toEqual([200, 409]);
        const winner = onA.status === 200 ? onA : onB;
        const loser = onA.status === 200 ? onB : onA;
        expect(loser.body.item).toEqual(winner.body.item);
        const stored = await state.db.query<{ status: string; resolved_by: string }>(
          'select status, resolved_by from review_items where id = $1',
          [id],
        );
        expect(stored.rows).toEqual([
          {
            status: (winner.body.item as { status: string }).status,
            resolved_by: (winner.body.item as { resolved_by: string }).resolved_by,
          },
        ]);
      }
    });

    it('wakes waiters on both replicas when `gatehouse review approve` resolves the item from the command line', async () => {
      const { id, traceId } = await review();
      const onA = timed(call(a.url, 'GET', `/v1/queue/${id}/wait?timeout_ms=30000`, testMasterKey));
      const onB = timed(call(b.url, 'GET', `/v1/queue/${traceId}/wait?timeout_ms=30000`, reviewer));
      await settle(300);
      const listed = await runCli(['review', 'list', '--config', configPath], { env });
      expect(listed.code).toBe(0);
      expect(listed.stdout).toContain(id);
      const approved = await runCli(
        ['review', 'approve', traceId, '--by', 'carol', '-m', 'ok', '--config', configPath],
        {
          env,
        },
      );
      const done = performance.now();
      expect(approved).toMatchObject({ code: 0, stdout: `approved ${id}\n` });
      for (const waited of await Promise.all([onA, onB])) {
        expect(waited).toMatchObject({
          status: 200,
          body: { id, status: 'approved', resolved_by: 'carol', resolver_key_id: 'cli' },
        });
        // Woken by the announcement, not by the 5 s backstop re-read.
        expect(waited.at - done).toBeLessThan(1_000);
      }
      const again = await runCli(['review', 'deny', id, '--config', configPath], { env });
      expect(again.code).toBe(2);
      expect(again.stderr).toMatch(/already approved by carol/);
    });
  });
}

describeReplicas('review_redis', true);
describeReplicas('review_notify', false);
