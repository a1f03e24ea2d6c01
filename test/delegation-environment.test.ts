import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';

/**
 * Lelu documents MAX_DELEGATION_DEPTH, MAX_SWARM_SIZE and SWARM_OPERATION_TIMEOUT and reads none of
 * them. Here each, set in the environment of the real command line, changes what the gateway does
 * (the defaults, 5, 10 and 30 s, would allow everything refused below).
 */

let gateway: CliProcess & { url: string };

beforeAll(async () => {
  gateway = await startCliGateway({
    env: { MAX_DELEGATION_DEPTH: '2', MAX_SWARM_SIZE: '3', SWARM_OPERATION_TIMEOUT: '1500ms' },
  });
}, 30_000);

afterAll(async () => {
  gateway?.kill();
  await gateway?.exited;
  if (gateway !== undefined) rmSync(gateway.cwd, { recursive: true, force: true });
});

async function post(path: string, credential: string, body: Record<string, unknown>) {
  const response = await fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_id: 'acme', confidence: 0.95, ...body }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const delegate = (credential: string, body: Record<string, unknown>) =>
  post('/v1/agent/delegate', credential, body);

describe('the delegation variables of the environment', () => {
  it('MAX_DELEGATION_DEPTH=2: a chain of two grants, not three', async () => {
    const root = await delegate(testMasterKey, { delegator: 'a', delegatee: 'b', scoped_to: ['x'] });
    const second = await delegate(String(root.body.token), { delegatee: 'c' });
    expect(second.status).toBe(200);
    const third = await delegate(String(second.body.token), { delegatee: 'd' });
    expect(third.status).toBe(403);
    expect(third.body.reason).toContain('a chain holds at most 2');
  });

  it('MAX_SWARM_SIZE=3: three agents under one root, not four', async () => {
    const root = await delegate(testMasterKey, { delegator: 'e', delegatee: 'f', scoped_to: ['x'] });
    expect((await delegate(String(root.body.token), { delegatee: 'g' })).status).toBe(200);
    const fourth = await delegate(String(root.body.token), { delegatee: 'h' });
    expect(fourth.status).toBe(403);
    expect(fourth.body.reason).toContain('more than max_swarm_size (3)');
  });

  it('SWARM_OPERATION_TIMEOUT=1500ms: a swarm ends 1.5 s after its root, whatever TTL was asked', async () => {
    const minted = await post('/v1/tokens/mint', testMasterKey, {
      scope: 'read_*',
      actor: 'bot',
      ttl_seconds: 3_600,
    });
    expect(minted.status).toBe(200);
    expect(Number(minted.body.expires_at) - Date.now() / 1000).toBeLessThan(2);
    const token = String(minted.body.token);
    const ask = () => post('/v1/agent/authorize', token, { action: 'read_invoice' });
    expect((await ask()).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    const late = await ask();
    expect(late.status).toBe(401);
    expect((late.body.error as { message: string }).message).toContain('swarm whose operation timeout ended');
  });
});
