import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqlStores, type SqlStores } from '../../stores/sql/index.js';
import type { Grant } from './grant.js';
import { createGrantRegistry, type GrantRegistry } from './grant-registry.js';
import type { GrantRevocationChannel, GrantStore } from './grant-store.js';
import { newGrantToken } from './grant-token.js';

/**
 * Two registries over one database stand for two replicas: each caches what it resolved, and
 * learns of revocations made by the other from the store (polling) or an announcement (checked
 * against the store).
 */

const now = 1_700_000_000_000;
let directory: string;
let stores: SqlStores;
const registries: GrantRegistry[] = [];

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'gatehouse-registry-'));
  stores = await createSqlStores({ dataDir: directory });
});
afterEach(async () => {
  for (const registry of registries.splice(0)) await registry.stop();
  await stores.close();
  rmSync(directory, { recursive: true, force: true });
});

function replica(store: GrantStore = stores.grants, channel?: GrantRevocationChannel): GrantRegistry {
  const registry = createGrantRegistry({
    store,
    channel,
    pollIntervalMs: 60_000,
    now: () => now,
    onError: () => undefined,
  });
  registry.start();
  registries.push(registry);
  return registry;
}

/** A root and a child of it, stored; their tokens. */
async function tree(): Promise<{ root: Grant; child: Grant; rootToken: string; childToken: string }> {
  const first = newGrantToken();
  const second = newGrantToken();
  const root: Grant = {
    id: first.id,
    tenantId: 'acme',
    delegator: 'orchestrator',
    delegatee: 'researcher',
    scopes: ['read_*'],
    actingFor: undefined,
    parentId: undefined,
    rootId: first.id,
    lineage: [],
    depth: 1,
    issuerKeyId: 'master',
    boundKey: undefined,
    createdAt: now,
    expiresAt: now + 30_000,
    swarmExpiresAt: now + 30_000,
    revokedAt: undefined,
    traceparent: undefined,
    tokenHash: first.hash,
  };
  const child: Grant = {
    ...root,
    id: second.id,
    delegator: 'researcher',
    delegatee: 'reader',
    parentId: root.id,
    lineage: [root.id],
    depth: 2,
    tokenHash: second.hash,
  };
  await stores.grants.insert(root, { agents: ['orchestrator', 'researcher'], maxAgents: 10 });
  await stores.grants.insert(child, { agents: ['reader'], maxAgents: 10 });
  return { root, child, rootToken: first.token, childToken: second.token };
}

function memoryChannel(): GrantRevocationChannel & { deliver(ids: readonly string[]): void } {
  const listeners: ((ids: readonly string[]) => void)[] = [];
  return {
    publish: (ids) => listeners.forEach((listener) => listener(ids)),
    subscribe: (listener) => void listeners.push(listener),
    deliver: (ids) => listeners.forEach((listener) => listener(ids)),
  };
}

describe('a replica’s grants', () => {
  it('resolves a token from the store, then from its cache without a promise', async () => {
    const { child, childToken } = await tree();
    const a = replica();
    const first = a.resolve(childToken);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toMatchObject({ type: 'active', active: { grant: { id: child.id } } });
    const again = a.resolve(childToken);
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ type: 'active' });
  });

  it('refuses a revoked ancestor’s descendant once it polls, though it cached the descendant', async () => {
    const { root, childToken } = await tree();
    const a = replica();
    const b = replica();
    expect(await b.resolve(childToken)).toMatchObject({ type: 'active' });
    a.revoked(await stores.grants.revokeTree(root.id, now), root.expiresAt);
    expect(await a.resolve(childToken)).toMatchObject({ type: 'refused', reason: 'revoked' });
    // B has not heard yet: its cache still says active; its next poll reads the revocation.
    expect(await b.resolve(childToken)).toMatchObject({ type: 'active' });
    await b.refresh();
    expect(await b.resolve(childToken)).toMatchObject({ type: 'refused', reason: 'revoked' });
  });

  it('hears an announcement at once, and applies only revocations the store confirms', async () => {
    const { root, child, childToken, rootToken } = await tree();
    const channel = memoryChannel();
    const b = replica(stores.grants, channel);
    await b.resolve(childToken);
    await b.resolve(rootToken);
    // A forged announcement: nothing is revoked in the store, so nothing changes.
    channel.deliver([root.id, child.id]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await b.resolve(childToken)).toMatchObject({ type: 'active' });
    await stores.grants.revokeTree(child.id, now);
    channel.deliver([child.id]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await b.resolve(childToken)).toMatchObject({ type: 'refused', reason: 'revoked' });
    expect(await b.resolve(rootToken)).toMatchObject({ type: 'active' });
  });

  it('says the same of an unknown token and of a known id with another secret', async () => {
    const { childToken } = await tree();
    const a = replica();
    const tampered = `${childToken.slice(0, -1)}${childToken.endsWith('A') ? 'B' : 'A'}`;
    const unknown = newGrantToken().token;
    expect(await a.resolve(tampered)).toEqual({ type: 'refused', reason: 'unknown', grant: undefined });
    expect(await a.resolve(unknown)).toEqual({ type: 'refused', reason: 'unknown', grant: undefined });
    expect(await a.resolve('gh_grant_nonsense')).toEqual({
      type: 'refused',
      reason: 'unknown',
      grant: undefined,
    });
  });

  it('asks the store once for a grant however many requests present it at once', async () => {
    const { childToken } = await tree();
    let finds = 0;
    const counting: GrantStore = {
      ...stores.grants,
      find: (id) => {
        finds += 1;
        return stores.grants.find(id);
      },
    };
    const a = replica(counting);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => Promise.resolve(a.resolve(childToken))),
    );
    expect(answers.every((answer) => answer.type === 'active')).toBe(true);
    expect(finds).toBe(1);
  });

  it('answers unavailable, not unknown, while the store fails', async () => {
    const { childToken } = await tree();
    const failing: GrantStore = { ...stores.grants, find: () => Promise.reject(new Error('database down')) };
    expect(await replica(failing).resolve(childToken)).toEqual({ type: 'unavailable' });
  });
});
