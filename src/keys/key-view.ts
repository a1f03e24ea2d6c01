import type { BudgetPeriod, KeyRole, StoredKey } from './types.js';

/** A key as the admin API and `gatehouse keys --json` show it: never the secret or its hash. */
export interface KeyView {
  readonly id: string;
  readonly name: string;
  readonly prefix: string;
  readonly tier: string;
  readonly role: KeyRole;
  readonly team: string | null;
  readonly owner: string | null;
  readonly agent_id: string | null;
  readonly models: readonly string[];
  /** The key's own overrides; what its tier supplies is not repeated here. */
  readonly limits: {
    readonly requests_per_minute?: number;
    readonly tokens_per_minute?: number;
    readonly concurrent_requests?: number;
  };
  readonly budget: { readonly usd: number; readonly period: BudgetPeriod } | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string | null;
  readonly revoked_at: string | null;
}

export function keyView(key: StoredKey): KeyView {
  const limits: { -readonly [name in keyof KeyView['limits']]: number } = {};
  if (key.limits.requestsPerMinute !== undefined) limits.requests_per_minute = key.limits.requestsPerMinute;
  if (key.limits.tokensPerMinute !== undefined) limits.tokens_per_minute = key.limits.tokensPerMinute;
  if (key.limits.concurrentRequests !== undefined) limits.concurrent_requests = key.limits.concurrentRequests;
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    tier: key.tier,
    role: key.role,
    team: key.team ?? null,
    owner: key.owner ?? null,
    agent_id: key.agentId ?? null,
    models: key.models,
    limits,
    budget: key.budget === undefined ? null : { usd: key.budget.usd, period: key.budget.period },
    metadata: key.metadata,
    created_at: iso(key.createdAt),
    updated_at: iso(key.updatedAt),
    expires_at: key.expiresAt === undefined ? null : iso(key.expiresAt),
    revoked_at: key.revokedAt === undefined ? null : iso(key.revokedAt),
  };
}

function iso(milliseconds: number): string {
  return new Date(milliseconds).toISOString();
}
