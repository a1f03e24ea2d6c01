import { z } from 'zod';
import { GatewayError } from '../errors/index.js';
import type { BudgetPeriod, KeyBudget, KeyLimits, KeyRole } from './types.js';

/**
 * Admin input (the `/admin/keys` bodies, and what `gatehouse keys` builds from its options),
 * validated strictly: unknown fields, wrong types and absurd figures are refused with the field
 * named, so a typo never silently leaves a key unlimited.
 */

export const limitMaxima = {
  requests_per_minute: 1e7,
  tokens_per_minute: 1e10,
  concurrent_requests: 1e5,
} as const;
const budgetMaximumUsd = 1e9;
/** 9999-12-31T23:59:59.999Z, the last instant an ISO 8601 timestamp with a four-digit year can show. */
const latestExpiry = 253_402_300_799_999;
const budgetPeriods = ['day', 'week', 'month', 'total'] as const satisfies readonly BudgetPeriod[];

// Control characters would corrupt terminal tables and log lines.
const printable = /^[^\p{Cc}]*$/u;
const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(printable, 'must not contain control characters');
const clearable = <T extends z.ZodType>(schema: T) => schema.nullable().optional();
const limit = (max: number) =>
  clearable(
    z
      .number('must be a number')
      .int('must be a whole number')
      .positive('must be positive')
      .max(max, `must be at most ${max}`),
  );

const fields = {
  name: text(100).optional(),
  tier: z.string().min(1, 'must not be empty').optional(),
  role: z.enum(['user', 'admin', 'reviewer'], "must be 'user', 'admin' or 'reviewer'").optional(),
  team: clearable(text(200)),
  owner: clearable(text(200)),
  agent_id: clearable(text(200)),
  models: z
    .array(
      z
        .string()
        .min(1, 'must not be empty')
        .max(200, 'must be at most 200 characters')
        .regex(/^\S+$/, 'must not contain spaces'),
    )
    .max(100, 'at most 100 patterns')
    .optional(),
  limits: clearable(
    z.strictObject({
      requests_per_minute: limit(limitMaxima.requests_per_minute),
      tokens_per_minute: limit(limitMaxima.tokens_per_minute),
      concurrent_requests: limit(limitMaxima.concurrent_requests),
    }),
  ),
  budget: clearable(
    z.strictObject({
      usd: z
        .number('must be a number')
        .positive('must be positive')
        .max(budgetMaximumUsd, `must be at most ${budgetMaximumUsd}`),
      period: z.enum(budgetPeriods, "must be 'day', 'week', 'month' or 'total'"),
    }),
  ),
  expires_at: clearable(z.union([z.string(), z.number()], 'must be an ISO 8601 date or unix milliseconds')),
  metadata: z
    .record(
      z.string().min(1, 'keys must not be empty').max(100, 'keys must be at most 100 characters'),
      z.string('values must be strings').max(1000, 'values must be at most 1000 characters'),
    )
    .refine((entries) => Object.keys(entries).length <= 50, 'at most 50 entries')
    .optional(),
};
const bodySchema = z.strictObject(fields);
type Body = z.output<typeof bodySchema>;
type LimitsBody = NonNullable<Body['limits']>;

export interface CreateInput {
  readonly name: string;
  readonly tier: string | undefined;
  readonly role: KeyRole;
  readonly team: string | undefined;
  readonly owner: string | undefined;
  readonly agentId: string | undefined;
  readonly models: readonly string[];
  readonly limits: KeyLimits;
  readonly budget: KeyBudget | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  readonly expiresAt: number | undefined;
}

/** A patch: an absent field is left alone; `null` (team, owner, agent id, budget, expiry, a limit) clears it. */
export interface UpdateInput {
  readonly name?: string;
  readonly tier?: string;
  readonly role?: KeyRole;
  readonly team?: string | null;
  readonly owner?: string | null;
  readonly agentId?: string | null;
  readonly models?: readonly string[];
  /** Merged into the key's overrides; `null` removes an override, `limits: null` removes all. */
  readonly limits?: { readonly [name in keyof KeyLimits]-?: number | null | undefined } | null;
  readonly budget?: KeyBudget | null;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly expiresAt?: number | null;
}

export type Parsed<T> =
  { readonly type: 'valid'; readonly value: T } | { readonly type: 'invalid'; readonly error: GatewayError };

export interface KeyValidation {
  parseCreate(body: unknown): Parsed<CreateInput>;
  parseUpdate(body: unknown): Parsed<UpdateInput>;
}

export function createKeyValidation(settings: {
  readonly tierNames: readonly string[];
  readonly now: () => number;
}): KeyValidation {
  const { tierNames, now } = settings;

  function check(body: unknown): Parsed<Body> {
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) return { type: 'invalid', error: errorOf(parsed.error.issues[0]) };
    const value = parsed.data;
    if (value.tier !== undefined && !tierNames.includes(value.tier)) {
      return invalid('tier', `Unknown tier '${value.tier}'; the tiers are ${tierNames.join(', ')}.`);
    }
    return { type: 'valid', value };
  }

  function expiry(value: string | number): Parsed<number> {
    const at = typeof value === 'number' ? value : parseIsoDate(value);
    if (at === undefined || !Number.isSafeInteger(at) || at > latestExpiry) {
      return invalid(
        'expires_at',
        "Invalid 'expires_at': must be an ISO 8601 date (2030-01-31 or 2030-01-31T12:00:00Z) or unix milliseconds.",
      );
    }
    if (at <= now()) {
      return invalid(
        'expires_at',
        `Invalid 'expires_at': ${new Date(Math.max(at, 0)).toISOString()} is not in the future (numbers are unix milliseconds).`,
      );
    }
    return { type: 'valid', value: at };
  }

  return {
    parseCreate(body) {
      const checked = check(body);
      if (checked.type === 'invalid') return checked;
      const value = checked.value;
      if (value.name === undefined) return invalid('name', "Missing required field 'name'.");
      let expiresAt: number | undefined;
      if (value.expires_at !== undefined && value.expires_at !== null) {
        const parsedExpiry = expiry(value.expires_at);
        if (parsedExpiry.type === 'invalid') return parsedExpiry;
        expiresAt = parsedExpiry.value;
      }
      return {
        type: 'valid',
        value: {
          name: value.name,
          tier: value.tier,
          role: value.role ?? 'user',
          team: value.team ?? undefined,
          owner: value.owner ?? undefined,
          agentId: value.agent_id ?? undefined,
          models: value.models ?? [],
          limits:
            value.limits === undefined || value.limits === null
              ? {}
              : mergeLimits({}, limitsPatch(value.limits)),
          budget: value.budget ?? undefined,
          metadata: value.metadata ?? {},
          expiresAt,
        },
      };
    },
    parseUpdate(body) {
      const checked = check(body);
      if (checked.type === 'invalid') return checked;
      const value = checked.value;
      if (Object.keys(value).length === 0) {
        return invalid(undefined, 'Nothing to update: the body sets no field.');
      }
      let expiresAt: number | null | undefined = value.expires_at === null ? null : undefined;
      if (value.expires_at !== undefined && value.expires_at !== null) {
        const parsedExpiry = expiry(value.expires_at);
        if (parsedExpiry.type === 'invalid') return parsedExpiry;
        expiresAt = parsedExpiry.value;
      }
      const update: { -readonly [field in keyof UpdateInput]: UpdateInput[field] } = {};
      if (value.name !== undefined) update.name = value.name;
      if (value.tier !== undefined) update.tier = value.tier;
      if (value.role !== undefined) update.role = value.role;
      if (value.team !== undefined) update.team = value.team;
      if (value.owner !== undefined) update.owner = value.owner;
      if (value.agent_id !== undefined) update.agentId = value.agent_id;
      if (value.models !== undefined) update.models = value.models;
      if (value.limits !== undefined)
        update.limits = value.limits === null ? null : limitsPatch(value.limits);
      if (value.budget !== undefined) update.budget = value.budget;
      if (value.metadata !== undefined) update.metadata = value.metadata;
      if (expiresAt !== undefined) update.expiresAt = expiresAt;
      return { type: 'valid', value: update };
    },
  };
}

function limitsPatch(limits: LimitsBody): NonNullable<UpdateInput['limits']> {
  return {
    requestsPerMinute: limits.requests_per_minute,
    tokensPerMinute: limits.tokens_per_minute,
    concurrentRequests: limits.concurrent_requests,
  };
}

/** The key's overrides with a patch applied: `null` removes one override (or, for the whole patch, all). */
export function mergeLimits(current: KeyLimits, patch: UpdateInput['limits']): KeyLimits {
  if (patch === null) return {};
  if (patch === undefined) return current;
  const merged: { -readonly [name in keyof KeyLimits]: number } = {};
  for (const name of ['requestsPerMinute', 'tokensPerMinute', 'concurrentRequests'] as const) {
    const value = patch[name] === undefined ? current[name] : patch[name];
    if (value !== undefined && value !== null) merged[name] = value;
  }
  return merged;
}

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
// A time must carry its offset: a bare local time means different instants on different machines.
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function parseIsoDate(text: string): number | undefined {
  if (!isoDate.test(text) && !isoDateTime.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? at : undefined;
}

function invalid(
  param: string | undefined,
  message: string,
): { readonly type: 'invalid'; readonly error: GatewayError } {
  return {
    type: 'invalid',
    error: new GatewayError('invalid_request', message, param === undefined ? {} : { param }),
  };
}

function errorOf(issue: z.core.$ZodIssue | undefined): GatewayError {
  if (issue === undefined) return new GatewayError('invalid_request', 'The request body is invalid.');
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const field = [...path, issue.keys[0] ?? ''].join('.');
    return new GatewayError('invalid_request', `Unknown field '${field}'.`, { param: field });
  }
  if (path.length === 0)
    return new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const field = path.join('.');
  return new GatewayError('invalid_request', `Invalid '${field}': ${issue.message}.`, { param: field });
}
