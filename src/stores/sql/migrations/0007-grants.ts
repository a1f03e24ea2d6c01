import type { Kysely, Migration } from 'kysely';

/**
 * Delegation grants and the agents of their swarms. A grant row holds the SHA-256 of its token,
 * never the token. `swarm_agents` counts, on a root's row, the distinct agents of its swarm; each
 * agent has a row in `grant_swarm_agents` whose primary key makes joining a swarm idempotent, and
 * the count is raised by a conditional update, so two replicas racing for a swarm's last place
 * cannot both get it.
 */
export function grants(): Migration {
  return {
    async up(database: Kysely<unknown>): Promise<void> {
      await database.schema
        .createTable('agent_grants')
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('token_hash', 'text', (column) => column.notNull())
        .addColumn('tenant_id', 'text', (column) => column.notNull())
        .addColumn('delegator', 'text')
        .addColumn('delegatee', 'text', (column) => column.notNull())
        .addColumn('scopes', 'text', (column) => column.notNull())
        .addColumn('acting_for', 'text')
        .addColumn('parent_id', 'text')
        .addColumn('root_id', 'text', (column) => column.notNull())
        .addColumn('lineage', 'text', (column) => column.notNull())
        .addColumn('depth', 'integer', (column) => column.notNull())
        .addColumn('issuer_key_id', 'text', (column) => column.notNull())
        .addColumn('bound_key_id', 'text')
        .addColumn('bound_key_hash', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('expires_at', 'bigint', (column) => column.notNull())
        .addColumn('swarm_expires_at', 'bigint', (column) => column.notNull())
        .addColumn('revoked_at', 'bigint')
        .addColumn('traceparent', 'text')
        .addColumn('swarm_agents', 'integer', (column) => column.notNull().defaultTo(0))
        .execute();
      // A revocation reads the swarm; every replica polls for revocations since its last look.
      await database.schema
        .createIndex('agent_grants_root_id')
        .on('agent_grants')
        .column('root_id')
        .execute();
      await database.schema
        .createIndex('agent_grants_revoked_at')
        .on('agent_grants')
        .column('revoked_at')
        .execute();
      await database.schema
        .createTable('grant_swarm_agents')
        .addColumn('root_id', 'text', (column) => column.notNull())
        .addColumn('agent', 'text', (column) => column.notNull())
        .addColumn('joined_at', 'bigint', (column) => column.notNull())
        .addPrimaryKeyConstraint('grant_swarm_agents_pk', ['root_id', 'agent'])
        .execute();
    },
  };
}
