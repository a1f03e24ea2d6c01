import { InvalidArgumentError, type Command } from 'commander';
import type { GatewayError } from '../errors/index.js';

/** The options `gatehouse keys create` and `update` share, and how they become an admin API body. */

export interface KeyOptions {
  readonly config?: string;
  readonly json?: boolean;
  readonly name?: string;
  readonly tier?: string;
  readonly role?: string;
  readonly team?: string;
  readonly owner?: string;
  readonly agentId?: string;
  readonly models?: string;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly concurrency?: number;
  readonly budgetUsd?: number;
  readonly budgetPeriod?: string;
  readonly expires?: string;
  readonly metadata?: readonly string[];
  readonly clear?: string;
}

/** Body fields the CLI flags stand for, so validation errors name the flag the user typed. */
const flagOfField: Readonly<Record<string, string>> = {
  name: '--name',
  tier: '--tier',
  role: '--role',
  team: '--team',
  owner: '--owner',
  agent_id: '--agent-id',
  models: '--models',
  'limits.requests_per_minute': '--rpm',
  'limits.tokens_per_minute': '--tpm',
  'limits.concurrent_requests': '--concurrency',
  'budget.usd': '--budget-usd',
  'budget.period': '--budget-period',
  expires_at: '--expires',
  metadata: '--metadata',
};

/** What `--clear` accepts, and the body field each clears. */
export const clearable: Readonly<Record<string, readonly [string, unknown]>> = {
  team: ['team', null],
  owner: ['owner', null],
  'agent-id': ['agent_id', null],
  models: ['models', []],
  limits: ['limits', null],
  budget: ['budget', null],
  expires: ['expires_at', null],
  metadata: ['metadata', {}],
};

/** Bad usage found while reading options: exit code 2. */
export class UsageError extends Error {}

export function withAttributeOptions(command: Command): Command {
  return command
    .option('--config <file>', 'configuration file')
    .option('--name <name>', 'a unique name')
    .option('--tier <tier>', 'the tier supplying default limits (default: keys.default_tier)')
    .option('--role <role>', "'user' (default), 'admin' (may use /admin) or 'reviewer' (may resolve reviews)")
    .option('--team <team>', 'team, for reporting and shared budgets')
    .option('--owner <owner>', 'who the key belongs to')
    .option('--agent-id <id>', 'the agent this key belongs to')
    .option('--models <patterns>', 'comma-separated allowed model patterns, * as wildcard (default: all)')
    .option('--rpm <n>', 'requests per minute (overrides the tier)', number)
    .option('--tpm <n>', 'tokens per minute (overrides the tier)', number)
    .option('--concurrency <n>', 'concurrent requests (overrides the tier)', number)
    .option('--budget-usd <usd>', 'spending limit in USD', number)
    .option('--budget-period <period>', 'day, week, month (default) or total')
    .option(
      '--expires <when>',
      'an ISO date (2030-01-31, 2030-01-31T12:00:00Z) or a duration from now (90m, 12h, 30d, 2w)',
    )
    .option('--metadata <name=value>', 'a metadata entry (repeatable)', collect, [])
    .option('--json', 'print JSON');
}

function number(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) throw new InvalidArgumentError('expected a number.');
  return parsed;
}

function collect(value: string, previous: readonly string[]): readonly string[] {
  return [...previous, value];
}

/** The admin API body the options stand for; only options given appear in it. */
export function bodyOf(options: KeyOptions, now: number): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (options.name !== undefined) body.name = options.name;
  if (options.tier !== undefined) body.tier = options.tier;
  if (options.role !== undefined) body.role = options.role;
  if (options.team !== undefined) body.team = options.team;
  if (options.owner !== undefined) body.owner = options.owner;
  if (options.agentId !== undefined) body.agent_id = options.agentId;
  if (options.models !== undefined) {
    body.models = options.models
      .split(',')
      .map((pattern) => pattern.trim())
      .filter((pattern) => pattern !== '');
  }
  const limits: Record<string, number> = {};
  if (options.rpm !== undefined) limits.requests_per_minute = options.rpm;
  if (options.tpm !== undefined) limits.tokens_per_minute = options.tpm;
  if (options.concurrency !== undefined) limits.concurrent_requests = options.concurrency;
  if (Object.keys(limits).length > 0) body.limits = limits;
  if (options.budgetUsd !== undefined) {
    body.budget = { usd: options.budgetUsd, period: options.budgetPeriod ?? 'month' };
  } else if (options.budgetPeriod !== undefined) {
    throw new UsageError('--budget-period needs --budget-usd.');
  }
  if (options.expires !== undefined) body.expires_at = expiry(options.expires, now);
  if (options.metadata !== undefined && options.metadata.length > 0)
    body.metadata = metadataOf(options.metadata);
  return body;
}

export function clearedFields(options: KeyOptions, set: Record<string, unknown>): Record<string, unknown> {
  if (options.clear === undefined) return {};
  const body: Record<string, unknown> = {};
  for (const name of options.clear.split(',').map((field) => field.trim())) {
    const cleared = clearable[name];
    if (cleared === undefined) {
      throw new UsageError(
        `--clear: unknown field '${name}'; expected ${Object.keys(clearable).join(', ')}.`,
      );
    }
    body[cleared[0]] = cleared[1];
  }
  const both = Object.keys(body).find((field) => field in set);
  if (both !== undefined) throw new UsageError(`--clear: '${both}' is both set and cleared.`);
  return body;
}

const durationUnits: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration from now (`30d`) as unix milliseconds; anything else goes to validation as a date. */
function expiry(text: string, now: number): string | number {
  const duration = /^(\d+)\s*([mhdw])$/.exec(text.trim());
  if (duration === null) {
    if (!/^\d{4}-\d{2}-\d{2}/.test(text)) {
      throw new UsageError(
        `--expires: '${text}' is neither an ISO date (2030-01-31) nor a duration (90m, 12h, 30d, 2w).`,
      );
    }
    return text;
  }
  return now + Number(duration[1]) * (durationUnits[duration[2] ?? ''] ?? 0);
}

function metadataOf(entries: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const entry of entries) {
    const separator = entry.indexOf('=');
    if (separator <= 0) throw new UsageError(`--metadata: expected name=value, not '${entry}'.`);
    metadata[entry.slice(0, separator)] = entry.slice(separator + 1);
  }
  return metadata;
}

export function describe(error: GatewayError): string {
  const flag = error.param === undefined ? undefined : flagOfField[error.param];
  return flag === undefined ? error.message : `${flag}: ${error.message}`;
}
