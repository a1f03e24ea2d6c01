import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, decisionCounts, exactlyOnce, verifyAudit } from './support/audit.js';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { rawRequest } from './support/http.js';
import { createKey, isolatedState, postgresUrl, type IsolatedState } from './support/shared-state.js';

/**
 * Three gateway processes append to one Postgres at once; their records form one chain that
 * `gatehouse audit verify` accepts, while they append and after, with every decision in it once.
 */

let state: IsolatedState;
const gateways: (CliProcess & { url: string })[] = [];

beforeAll(async () => {
  state = await isolatedState('audit_replicas');
  for (let index = 0; index < 3; index += 1) {
    gateways.push(
      await startCliGateway({
        env: { DATABASE_URL: postgresUrl, GATEHOUSE_DATABASE_SCHEMA: state.schema },
        args: [],
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const started of gateways) started.kill();
  await Promise.all(gateways.map((started) => started.exited));
  await state?.cleanUp();
  for (const started of gateways) rmSync(started.cwd, { recursive: true, force: true });
});

describe('three replicas appending to one audit log', () => {
  it('form one chain that verifies, with every decision once', async () => {
    const traceIds: string[] = [];
    const statuses: number[] = [];
    let verifiedDuringLoad: Awaited<ReturnType<typeof verifyAudit>> | undefined;
    const load = gateways.flatMap((gateway) =>
      Array.from({ length: 4 }, async (_, worker) => {
        for (let index = 0; index < 60; index += 1) {
          const answer = await authorize(gateway.url, { action: `act_${worker}_${index}` });
          statuses.push(answer.status);
          if (answer.traceId !== undefined) traceIds.push(answer.traceId);
        }
      }),
    );
    const verifying = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      verifiedDuringLoad = await verifyAudit(postgresUrl, state.schema);
    })();
    await Promise.all([...load, verifying]);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(traceIds).toHaveLength(720);
    // Checked while the three appended: intact, whatever length it had then.
    expect(verifiedDuringLoad).toMatchObject({ code: 0 });

    // Administration on two replicas: a key created, the policy changed.
    const key = await createKey(gateways[1]!.url, testMasterKey, { name: 'audited' });
    const put = await rawRequest(`${gateways[2]!.url}/v1/policy`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${testMasterKey}`, 'content-type': 'text/plain' },
      body: 'permit(principal, action, resource);\n',
    });
    expect(put.status).toBe(200);

    // A graceful stop flushes each replica's writer.
    for (const gateway of gateways) gateway.child.kill('SIGTERM');
    for (const gateway of gateways) expect((await gateway.exited).code).toBe(0);

    expect(exactlyOnce(await decisionCounts(state.db, traceIds), traceIds)).toEqual({
      missing: 0,
      duplicated: [],
    });
    const types = await state.db.query<{ type: string; actor: string | null; resource: string }>(
      // Checkpoints (every N records or M minutes, by whichever replica) come as they fall.
      `select type, actor, resource from audit_records where type not in ('decision', 'checkpoint') order by seq`,
    );
    // The seed comes first; the two changes were made on two replicas, each appended when its
    // replica's writer flushed, so their order in the chain is the flushes' order.
    expect(types.rows[0]).toEqual(expect.objectContaining({ type: 'policy.changed', actor: 'config' }));
    expect(types.rows.slice(1)).toHaveLength(2);
    expect(types.rows.slice(1)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: 'key.created',
          actor: 'master',
          resource: JSON.stringify({ key_id: key.id, name: 'audited' }),
        }),
        expect.objectContaining({ type: 'policy.changed', actor: 'master' }),
      ]),
    );
    const verified = await verifyAudit(postgresUrl, state.schema);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    const checkpoints = Number(
      (
        await state.db.query<{ count: string }>(
          "select count(*) from audit_records where type = 'checkpoint'",
        )
      ).rows[0]?.count,
    );
    const total = 720 + 3 + checkpoints;
    expect(verified.stdout).toContain(`records 1–${total} (${total} checked)`);
  }, 120_000);
});
