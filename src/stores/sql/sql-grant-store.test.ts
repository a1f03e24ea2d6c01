import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Grant } from '../../governance/delegation/index.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

function root(id: string, overrides: Partial<Grant> = {}): Grant {
  return {
    id,
    tenantId: 'acme',
    delegator: 'orchestrator',
    delegatee: 'researcher',
    scopes: ['read_*', 'search'],
    actingFor: 'ada',
    parentId: undefined,
    rootId: id,
    lineage: [],
    depth: 1,
    issuerKeyId: 'key_0123456789abcdef',
    boundKey: { id: 'key_0123456789abcdef', hash: 'a'.repeat(64) },
    createdAt: 1_700_000_000_000,
    expiresAt: 1_700_000_030_000,
    swarmExpiresAt: 1_700_000_030_000,
    revokedAt: undefined,
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    tokenHash: 'b'.repeat(64),
    ...overrides,
  };
}

function child(parent: Grant, id: string, delegatee: string): Grant {
  return {
    ...parent,
    id,
    delegator: parent.delegatee,
    delegatee,
    parentId: parent.id,
    lineage: [...parent.lineage, parent.id],
    depth: parent.depth + 1,
    tokenHash: id.padEnd(64, 'c').slice(0, 64),
  };
}

const swarmOf = (grant: Grant, maxAgents = 10) => ({
  agents: grant.parentId === undefined ? [grant.delegator ?? '', grant.delegatee] : [grant.delegatee],
  maxAgents,
});

describe.each(databases)('grant store on $dialect', (testDatabase) => {
  let stores: SqlStores;
  beforeEach(async () => {
    stores = await createSqlStores(await testDatabase.isolated());
  });
  afterEach(async () => {
    await stores.close();
  });

  it('stores every attribute of a grant and finds it by id, alone or with others', async () => {
    const first = root('grant_00000000000000a1');
    const unbound = root('grant_00000000000000a2', {
      delegator: undefined,
      actingFor: undefined,
      boundKey: undefined,
      traceparent: undefined,
    });
    expect(await stores.grants.insert(first, swarmOf(first))).toEqual({ type: 'inserted', swarmAgents: 2 });
    expect(await stores.grants.insert(unbound, { agents: ['researcher'], maxAgents: 1 })).toEqual({
      type: 'inserted',
      swarmAgents: 1,
    });
    expect(await stores.grants.find(first.id)).toEqual(first);
    expect(await stores.grants.find(unbound.id)).toEqual(unbound);
    expect(await stores.grants.find('grant_ffffffffffffffff')).toBeUndefined();
    const many = await stores.grants.findMany([unbound.id, first.id, 'grant_ffffffffffffffff', first.id]);
    expect(many.map((grant) => grant.id).sort()).toEqual([first.id, unbound.id]);
    expect(await stores.grants.findMany([])).toEqual([]);
  });

  it('counts distinct agents into the swarm and refuses the one too many, storing nothing for it', async () => {
    const top = root('grant_00000000000000b1');
    await stores.grants.insert(top, swarmOf(top, 3));
    const second = child(top, 'grant_00000000000000b2', 'writer');
    expect(await stores.grants.insert(second, swarmOf(second, 3))).toEqual({
      type: 'inserted',
      swarmAgents: 3,
    });
    // An agent already in the swarm takes no new place.
    const again = child(second, 'grant_00000000000000b3', 'researcher');
    expect(await stores.grants.insert(again, swarmOf(again, 3))).toEqual({
      type: 'inserted',
      swarmAgents: 3,
    });
    const fourth = child(second, 'grant_00000000000000b4', 'emailer');
    expect(await stores.grants.insert(fourth, swarmOf(fourth, 3))).toEqual({
      type: 'swarm_full',
      swarmAgents: 3,
    });
    expect(await stores.grants.find(fourth.id)).toBeUndefined();
    // Nothing of the refused grant's agent stayed behind: with room, it joins normally.
    expect(await stores.grants.insert(fourth, swarmOf(fourth, 4))).toEqual({
      type: 'inserted',
      swarmAgents: 4,
    });
  });

  it('refuses a root whose own agents exceed the limit', async () => {
    const top = root('grant_00000000000000c1');
    expect(await stores.grants.insert(top, swarmOf(top, 1))).toEqual({ type: 'swarm_full', swarmAgents: 0 });
    expect(await stores.grants.find(top.id)).toBeUndefined();
  });

  it('revokes a grant with its descendants, not its ancestors or siblings, and reports them since', async () => {
    const top = root('grant_00000000000000d1');
    const left = child(top, 'grant_00000000000000d2', 'left');
    const leftLeaf = child(left, 'grant_00000000000000d3', 'left-leaf');
    const right = child(top, 'grant_00000000000000d4', 'right');
    for (const grant of [top, left, leftLeaf, right]) await stores.grants.insert(grant, swarmOf(grant));
    expect(await stores.grants.revokeTree(left.id, 2_000)).toEqual([left.id, leftLeaf.id]);
    const after = await stores.grants.findMany([top.id, left.id, leftLeaf.id, right.id]);
    const revokedAt = Object.fromEntries(after.map((grant) => [grant.id, grant.revokedAt]));
    expect(revokedAt).toEqual({
      [top.id]: undefined,
      [left.id]: 2_000,
      [leftLeaf.id]: 2_000,
      [right.id]: undefined,
    });
    // Revoking again keeps the first time; the whole tree is revoked from the root, level by level.
    expect(await stores.grants.revokeTree(top.id, 3_000)).toEqual([top.id, left.id, right.id, leftLeaf.id]);
    expect((await stores.grants.find(left.id))?.revokedAt).toBe(2_000);
    expect(await stores.grants.revokeTree('grant_ffffffffffffffff', 3_000)).toEqual([]);
    const since = await stores.grants.revokedSince(2_500);
    expect(since.map((revoked) => revoked.id).sort()).toEqual([top.id, right.id].sort());
    expect(since[0]).toMatchObject({ revokedAt: 3_000, expiresAt: top.expiresAt });
    expect(await stores.grants.revokedSince(1_000)).toHaveLength(4);
  });
});

describe('grant store on postgres, replicas racing', () => {
  const postgres = databases.find((database) => database.dialect === 'postgres')!;

  it('gives a swarm’s last place to one grant when many replicas ask at once', async () => {
    const options = await postgres.isolated();
    const replicas = await Promise.all([1, 2, 3, 4, 5, 6].map(() => createSqlStores(options)));
    try {
      const top = root('grant_00000000000000e1');
      await replicas[0]!.grants.insert(top, swarmOf(top, 3));
      const racers = replicas.map((_, index) =>
        child(top, `grant_00000000000000f${index}`, `agent-${index}`),
      );
      const results = await Promise.all(
        racers.map((grant, index) => replicas[index]!.grants.insert(grant, swarmOf(grant, 3))),
      );
      expect(results.filter((result) => result.type === 'inserted')).toHaveLength(1);
      expect(results.filter((result) => result.type === 'swarm_full')).toHaveLength(5);
      const stored = await replicas[0]!.grants.findMany(racers.map((grant) => grant.id));
      expect(stored).toHaveLength(1);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
