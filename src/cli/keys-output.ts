import Table from 'cli-table3';
import { resolveLimits, type KeyLimits, type KeyView, type TierLimits } from '../keys/index.js';

/** How `gatehouse keys` prints keys for people; `--json` prints the admin API's JSON instead. */

export function keyStatus(key: KeyView, now: number): 'active' | 'revoked' | 'expired' {
  if (key.revoked_at !== null) return 'revoked';
  if (key.expires_at !== null && Date.parse(key.expires_at) <= now) return 'expired';
  return 'active';
}

export function keysTable(keys: readonly KeyView[], now: number): string {
  if (keys.length === 0) return 'No keys.\n';
  const table = new Table({
    head: ['id', 'name', 'prefix', 'tier', 'role', 'team', 'status', 'expires', 'created'],
    style: { head: [], border: [], compact: true },
  });
  for (const key of keys) {
    table.push([
      key.id,
      key.name,
      `${key.prefix}…`,
      key.tier,
      key.role,
      key.team ?? '',
      keyStatus(key, now),
      key.expires_at ?? 'never',
      key.created_at,
    ]);
  }
  return `${table.toString()}\n`;
}

export interface TierSettings {
  readonly tiers: Readonly<Record<string, TierLimits>>;
  readonly defaultTier: string;
  readonly defaultRequestsPerMinute: number | undefined;
}

/** One key in full, with the limits in force and where each comes from (its tier or the key). */
export function keyDetails(key: KeyView, settings: TierSettings, now: number): string {
  const overrides: KeyLimits = {
    ...(key.limits.requests_per_minute === undefined
      ? {}
      : { requestsPerMinute: key.limits.requests_per_minute }),
    ...(key.limits.tokens_per_minute === undefined ? {} : { tokensPerMinute: key.limits.tokens_per_minute }),
    ...(key.limits.concurrent_requests === undefined
      ? {}
      : { concurrentRequests: key.limits.concurrent_requests }),
  };
  const effective = resolveLimits(
    settings.tiers[key.tier] ?? settings.tiers[settings.defaultTier] ?? {},
    overrides,
    settings.defaultRequestsPerMinute,
  );
  const source = (override: number | undefined) => (override === undefined ? `tier ${key.tier}` : 'key');
  const limit = (value: number | undefined, unit: string, override: number | undefined) =>
    value === undefined ? `unlimited ${unit}` : `${value} ${unit} (${source(override)})`;
  const metadata = Object.entries(key.metadata);
  const rows: [string, string][] = [
    ['id', key.id],
    ['name', key.name],
    ['prefix', `${key.prefix}…`],
    ['status', keyStatus(key, now)],
    ['tier', key.tier],
    ['role', key.role],
    ['team', key.team ?? '-'],
    ['owner', key.owner ?? '-'],
    ['agent id', key.agent_id ?? '-'],
    ['models', key.models.length === 0 ? 'all' : key.models.join(', ')],
    ['requests', limit(effective.requestsPerMinute, 'per minute', overrides.requestsPerMinute)],
    ['tokens', limit(effective.tokensPerMinute, 'per minute', overrides.tokensPerMinute)],
    ['concurrency', limit(effective.concurrentRequests, 'at once', overrides.concurrentRequests)],
    [
      'budget',
      key.budget === null
        ? 'none'
        : `$${key.budget.usd} per ${key.budget.period === 'total' ? 'lifetime' : key.budget.period}`,
    ],
    ['expires', key.expires_at ?? 'never'],
    ['created', key.created_at],
    ['updated', key.updated_at],
    ['revoked', key.revoked_at ?? '-'],
    [
      'metadata',
      metadata.length === 0 ? '-' : metadata.map(([name, value]) => `${name}=${value}`).join(', '),
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)}${value}\n`).join('');
}
