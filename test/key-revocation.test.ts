import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { rawRequest } from './support/http.js';
import {
  chat,
  createKey,
  errorOf,
  generousLimits,
  isolatedState,
  type IsolatedState,
} from './support/shared-state.js';

/**
 * A key revoked through one replica stops working on every replica within one second: each
 * replica caches keys, and picks up changes from the shared database (every 500 ms by default).
 */

const pollIntervalMs = 50;

let state: IsolatedState;
const replicas: (CliProcess & { url: string })[] = [];

beforeAll(async () => {
  state = await isolatedState('revocation');
  const started = await Promise.allSettled([0, 1].map(() => startCliGateway({ env: state.env })));
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

/** Revokes a key on `revoker` and polls `other` every 50 ms; resolves with the milliseconds until it refused. */
async function revokeAndMeasure(revoker: string, other: string, name: string): Promise<number> {
  const key = await createKey(revoker, testMasterKey, { name, limits: generousLimits });
  // Used on both, so both have it in their caches.
  expect((await chat(revoker, { key: key.secret })).status).toBe(200);
  expect((await chat(other, { key: key.secret })).status).toBe(200);
  expect((await chat(other, { key: key.secret })).status).toBe(200);

  const revoke = await rawRequest(`${revoker}/admin/keys/${key.id}/revoke`, {
    headers: { authorization: `Bearer ${testMasterKey}` },
  });
  const revokedAt = performance.now();
  expect(revoke.status).toBe(200);
  expect((JSON.parse(revoke.text) as { revoked_at: string | null }).revoked_at).not.toBeNull();

  let latencyMs: number | undefined;
  let refusal: Awaited<ReturnType<typeof chat>> | undefined;
  while (performance.now() - revokedAt < 5_000) {
    const sent = performance.now();
    const response = await chat(other, { key: key.secret });
    if (response.status !== 200) {
      latencyMs = performance.now() - revokedAt;
      refusal = response;
      break;
    }
    const wait = pollIntervalMs - (performance.now() - sent);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  expect(refusal?.status).toBe(401);
  expect(errorOf(refusal!).code).toBe('revoked_api_key');
  expect(errorOf(refusal!).message).toMatch(/revoked/);

  // Both refuse it from now on.
  for (const url of [revoker, other]) {
    const response = await chat(url, { key: key.secret });
    expect(response.status).toBe(401);
    expect(errorOf(response).code).toBe('revoked_api_key');
  }
  return latencyMs ?? Number.POSITIVE_INFINITY;
}

describe('key revocation across replicas', () => {
  it('a key revoked on one replica is refused by the other within one second', async () => {
    const [a, b] = [replicas[0]!.url, replicas[1]!.url];
    const latencies: number[] = [];
    // A few times, each way, since where the revocation falls in the refresh cycle varies.
    for (let round = 0; round < 4; round++) {
      const [revoker, other] = round % 2 === 0 ? [a, b] : [b, a];
      latencies.push(await revokeAndMeasure(revoker, other, `to-revoke-${round}`));
    }
    console.info(
      `revocation reached the other replica after ${latencies.map((ms) => ms.toFixed(0)).join(', ')} ms`,
    );
    for (const latency of latencies) expect(latency).toBeLessThan(1_000);
  });
});
