import type { Insertable, Selectable, Updateable } from 'kysely';
import type { BudgetPeriod, KeyBudget, KeyLimits, KeyPatch, KeyRole, StoredKey } from '../../keys/types.js';
import type { ApiKeysTable } from './database-schema.js';

/**
 * Conversion between StoredKey and its row. JSON columns are read back through checks rather than
 * casts: a row edited by hand or written by a newer version fails loudly here instead of handing
 * malformed limits to the request path.
 */

type KeyRow = Selectable<ApiKeysTable>;

export function keyToRow(key: StoredKey): Insertable<ApiKeysTable> {
  return {
    id: key.id,
    name: key.name,
    hash: key.hash,
    prefix: key.prefix,
    tier: key.tier,
    role: key.role,
    team: key.team ?? null,
    owner: key.owner ?? null,
    agent_id: key.agentId ?? null,
    models: JSON.stringify(key.models),
    limits: JSON.stringify(key.limits),
    budget: key.budget === undefined ? null : JSON.stringify(key.budget),
    metadata: JSON.stringify(key.metadata),
    created_at: key.createdAt,
    updated_at: key.updatedAt,
    expires_at: key.expiresAt ?? null,
    revoked_at: key.revokedAt ?? null,
  };
}

/**
 * The columns a patch changes. A property present with the value `undefined` clears an optional
 * attribute (team, owner, agent id, budget, expiry); an absent property leaves it alone.
 */
export function patchToColumns(patch: KeyPatch): Updateable<ApiKeysTable> {
  const columns: Updateable<ApiKeysTable> = {};
  if (patch.name !== undefined) columns.name = patch.name;
  if (patch.tier !== undefined) columns.tier = patch.tier;
  if (patch.role !== undefined) columns.role = patch.role;
  if ('team' in patch) columns.team = patch.team ?? null;
  if ('owner' in patch) columns.owner = patch.owner ?? null;
  if ('agentId' in patch) columns.agent_id = patch.agentId ?? null;
  if (patch.models !== undefined) columns.models = JSON.stringify(patch.models);
  if (patch.limits !== undefined) columns.limits = JSON.stringify(patch.limits);
  if ('budget' in patch) columns.budget = patch.budget === undefined ? null : JSON.stringify(patch.budget);
  if (patch.metadata !== undefined) columns.metadata = JSON.stringify(patch.metadata);
  if ('expiresAt' in patch) columns.expires_at = patch.expiresAt ?? null;
  return columns;
}

export function rowToKey(row: KeyRow): StoredKey {
  const where = `api_keys row ${row.id}`;
  return {
    id: row.id,
    name: row.name,
    hash: row.hash,
    prefix: row.prefix,
    tier: row.tier,
    role: parseRole(row.role, where),
    team: row.team ?? undefined,
    owner: row.owner ?? undefined,
    agentId: row.agent_id ?? undefined,
    models: parseModels(row.models, where),
    limits: parseLimits(row.limits, where),
    budget: row.budget === null ? undefined : parseBudget(row.budget, where),
    metadata: parseMetadata(row.metadata, where),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at ?? undefined,
    revokedAt: row.revoked_at ?? undefined,
  };
}

function parseRole(value: string, where: string): KeyRole {
  if (value === 'user' || value === 'admin' || value === 'reviewer') return value;
  throw new Error(`${where}: unknown role "${value}"`);
}

function parseModels(text: string, where: string): readonly string[] {
  const value: unknown = JSON.parse(text);
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new Error(`${where}: models is not a list of strings`);
}

function parseLimits(text: string, where: string): KeyLimits {
  const value = parseObject(text, `${where}: limits`);
  const number = (name: keyof KeyLimits): number | undefined => {
    const field = value[name];
    if (field === undefined || typeof field === 'number') return field;
    throw new Error(`${where}: limits.${name} is not a number`);
  };
  const requestsPerMinute = number('requestsPerMinute');
  const tokensPerMinute = number('tokensPerMinute');
  const concurrentRequests = number('concurrentRequests');
  return {
    ...(requestsPerMinute === undefined ? {} : { requestsPerMinute }),
    ...(tokensPerMinute === undefined ? {} : { tokensPerMinute }),
    ...(concurrentRequests === undefined ? {} : { concurrentRequests }),
  };
}

const budgetPeriods: readonly string[] = ['day', 'week', 'month', 'total'] satisfies BudgetPeriod[];

function parseBudget(text: string, where: string): KeyBudget {
  const value = parseObject(text, `${where}: budget`);
  const { usd, period } = value;
  if (typeof usd === 'number' && typeof period === 'string' && budgetPeriods.includes(period)) {
    return { usd, period: period as BudgetPeriod };
  }
  throw new Error(`${where}: budget is not { usd, period }`);
}

function parseMetadata(text: string, where: string): Readonly<Record<string, string>> {
  const value = parseObject(text, `${where}: metadata`);
  if (Object.values(value).every((item) => typeof item === 'string')) return value as Record<string, string>;
  throw new Error(`${where}: metadata values are not all strings`);
}

function parseObject(text: string, what: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new Error(`${what} is not a JSON object`);
}
