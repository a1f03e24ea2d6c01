import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Grant, GrantInsertResult, GrantStore } from '../../governance/delegation/index.js';
import type { AgentGrantsTable, Database } from './database-schema.js';

/**
 * Delegation grants in `agent_grants` and their swarms' agents in `grant_swarm_agents` (migration
 * 0007), on SQLite and Postgres alike. Joining a swarm is one transaction: the agent's row (its
 * primary key makes a second join of the same agent a no-op), then a conditional increment of the
 * root's agent count (`where swarm_agents < max`), which Postgres re-checks after waiting for a
 * concurrent writer's row lock and SQLite serialises (`begin immediate`): the last place in a swarm
 * goes to one grant.
 */

/** Thrown inside the transaction to roll it back; never leaves this module. */
class SwarmFull extends Error {
  constructor(readonly swarmAgents: number) {
    super('swarm full');
  }
}

/** Statements stay small on SQLite's single thread; Postgres takes any number of parameters. */
const idsPerStatement = 500;

export function createSqlGrantStore(database: Kysely<Database>): GrantStore {
  return {
    async insert(grant, swarm) {
      try {
        return await database.transaction().execute((transaction) => insert(transaction, grant, swarm));
      } catch (error) {
        if (error instanceof SwarmFull) return { type: 'swarm_full', swarmAgents: error.swarmAgents };
        throw error;
      }
    },
    async find(id) {
      const row = await database
        .selectFrom('agent_grants')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row === undefined ? undefined : rowToGrant(row);
    },
    async findMany(ids) {
      const grants: Grant[] = [];
      for (const chunk of chunks([...new Set(ids)])) {
        const rows = await database.selectFrom('agent_grants').selectAll().where('id', 'in', chunk).execute();
        grants.push(...rows.map(rowToGrant));
      }
      return grants;
    },
    async revokeTree(id, now) {
      const target = await database
        .selectFrom('agent_grants')
        .select(['id', 'root_id'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (target === undefined) return [];
      const swarm = await database
        .selectFrom('agent_grants')
        .select(['id', 'lineage'])
        .where('root_id', '=', target.root_id)
        .orderBy('depth')
        .orderBy('id')
        .execute();
      const descendants = swarm.filter((row) => row.id !== id && parseList(row.lineage).includes(id));
      const ids = [id, ...descendants.map((row) => row.id)];
      for (const chunk of chunks(ids)) {
        // A revocation time, once set, stays: revoking again changes nothing.
        await database
          .updateTable('agent_grants')
          .set((expression) => ({ revoked_at: expression.fn.coalesce('revoked_at', expression.val(now)) }))
          .where('id', 'in', chunk)
          .execute();
      }
      return ids;
    },
    async revokedSince(since) {
      const rows = await database
        .selectFrom('agent_grants')
        .select(['id', 'revoked_at', 'expires_at'])
        .where('revoked_at', '>', since)
        .orderBy('revoked_at')
        .execute();
      return rows.map((row) => ({
        id: row.id,
        revokedAt: row.revoked_at ?? since,
        expiresAt: row.expires_at,
      }));
    },
  };
}

async function insert(
  transaction: Transaction<Database>,
  grant: Grant,
  swarm: { readonly agents: readonly string[]; readonly maxAgents: number },
): Promise<GrantInsertResult> {
  const isRoot = grant.rootId === grant.id;
  if (isRoot) {
    if (swarm.agents.length > swarm.maxAgents) throw new SwarmFull(0);
    await transaction
      .insertInto('agent_grants')
      .values({ ...grantToRow(grant), swarm_agents: swarm.agents.length })
      .execute();
  }
  for (const agent of swarm.agents) {
    const joined = await transaction
      .insertInto('grant_swarm_agents')
      .values({ root_id: grant.rootId, agent, joined_at: grant.createdAt })
      .onConflict((conflict) => conflict.columns(['root_id', 'agent']).doNothing())
      .returning('agent')
      .executeTakeFirst();
    if (isRoot || joined === undefined) continue;
    const counted = await transaction
      .updateTable('agent_grants')
      .set((expression) => ({ swarm_agents: expression('swarm_agents', '+', 1) }))
      .where('id', '=', grant.rootId)
      .where('swarm_agents', '<', swarm.maxAgents)
      .returning('swarm_agents')
      .executeTakeFirst();
    if (counted === undefined) throw new SwarmFull(await swarmAgents(transaction, grant.rootId));
  }
  if (!isRoot) await transaction.insertInto('agent_grants').values(grantToRow(grant)).execute();
  return { type: 'inserted', swarmAgents: await swarmAgents(transaction, grant.rootId) };
}

async function swarmAgents(transaction: Transaction<Database>, rootId: string): Promise<number> {
  const root = await transaction
    .selectFrom('agent_grants')
    .select('swarm_agents')
    .where('id', '=', rootId)
    .executeTakeFirst();
  return root?.swarm_agents ?? 0;
}

function grantToRow(grant: Grant): Omit<AgentGrantsTable, 'swarm_agents'> {
  return {
    id: grant.id,
    token_hash: grant.tokenHash,
    tenant_id: grant.tenantId,
    delegator: grant.delegator ?? null,
    delegatee: grant.delegatee,
    scopes: JSON.stringify(grant.scopes),
    acting_for: grant.actingFor ?? null,
    parent_id: grant.parentId ?? null,
    root_id: grant.rootId,
    lineage: JSON.stringify(grant.lineage),
    depth: grant.depth,
    issuer_key_id: grant.issuerKeyId,
    bound_key_id: grant.boundKey?.id ?? null,
    bound_key_hash: grant.boundKey?.hash ?? null,
    created_at: grant.createdAt,
    expires_at: grant.expiresAt,
    swarm_expires_at: grant.swarmExpiresAt,
    revoked_at: grant.revokedAt ?? null,
    traceparent: grant.traceparent ?? null,
  };
}

function rowToGrant(row: Selectable<AgentGrantsTable>): Grant {
  return Object.freeze({
    id: row.id,
    tenantId: row.tenant_id,
    delegator: row.delegator ?? undefined,
    delegatee: row.delegatee,
    scopes: Object.freeze(parseList(row.scopes)),
    actingFor: row.acting_for ?? undefined,
    parentId: row.parent_id ?? undefined,
    rootId: row.root_id,
    lineage: Object.freeze(parseList(row.lineage)),
    depth: row.depth,
    issuerKeyId: row.issuer_key_id,
    boundKey:
      row.bound_key_id === null || row.bound_key_hash === null
        ? undefined
        : { id: row.bound_key_id, hash: row.bound_key_hash },
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    swarmExpiresAt: row.swarm_expires_at,
    revokedAt: row.revoked_at ?? undefined,
    traceparent: row.traceparent ?? undefined,
    tokenHash: row.token_hash,
  });
}

/** A JSON list of strings as stored; anything else reads as empty (a hand-edited row). */
function parseList(text: string): string[] {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += idsPerStatement)
    result.push(items.slice(start, start + idsPerStatement));
  return result;
}
