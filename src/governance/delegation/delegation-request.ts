import { GatewayError } from '../../errors/index.js';
import { optionalName } from '../authorize-request.js';
import { describeKind, FieldProblem, isRecord, ownField, unitNumber } from '../field-problem.js';

/**
 * The bodies of `POST /v1/agent/delegate` and `POST /v1/tokens/mint` (Lelu's contract, with its
 * names), validated into camelCase. As for authorize requests, `null` and `""` are absent optional
 * fields and unknown fields are ignored; anything else that is not what the contract says is a 400
 * naming the field.
 */

export const delegationLimits = Object.freeze({
  maxScopes: 64,
  maxScopeLength: 256,
  /** A year: anything longer is capped anyway (by the parent, the swarm timeout). */
  maxTtlSeconds: 31_536_000,
  /** A well-formed token is 68 characters; a longer one is refused before it is looked at. */
  maxTokenLength: 128,
});

export interface DelegateRequest {
  /** Absent: the parent grant's tenant, else `default`. */
  readonly tenantId: string | undefined;
  /** Absent: filled from the caller (the key's agent, or the presented grant's holder). */
  readonly delegator: string | undefined;
  readonly delegatee: string;
  /** Absent or empty: the parent grant's scopes (a root delegation must name its scopes). */
  readonly scopedTo: readonly string[] | undefined;
  readonly ttlSeconds: number | undefined;
  readonly confidence: number | undefined;
  readonly actingFor: string | undefined;
  readonly parentToken: string | undefined;
}

export interface MintRequest {
  readonly tenantId: string;
  /** The agent that will hold the token; absent: the caller's agent. */
  readonly actor: string | undefined;
  readonly scopes: readonly string[];
  readonly actingFor: string | undefined;
  readonly ttlSeconds: number | undefined;
}

export type Validation<Request> =
  { readonly ok: true; readonly request: Request } | { readonly ok: false; readonly error: GatewayError };

function requiredName(value: unknown, field: string): string | FieldProblem {
  return optionalName(value, field) ?? new FieldProblem(field, `${field} is required (a non-empty string)`);
}

/** Printable, without spaces or commas (the separators of a scope list), and whole Unicode text. */
const scopePattern = /^[^\s,\p{Cc}\p{Cs}]+$/u;

function scopeProblem(scope: unknown, field: string): FieldProblem | undefined {
  if (typeof scope !== 'string')
    return new FieldProblem(field, `${field} must hold strings, got ${describeKind(scope)}`);
  if (scope.length > delegationLimits.maxScopeLength)
    return new FieldProblem(
      field,
      `a scope in ${field} is longer than ${delegationLimits.maxScopeLength} characters`,
    );
  if (!scopePattern.test(scope))
    return new FieldProblem(
      field,
      `${field} holds ${JSON.stringify(scope)}, which is not a scope (no spaces, commas or control characters)`,
    );
  return undefined;
}

/** A list of scopes; a string is split at spaces and commas (Lelu joins scopes with commas). */
function scopesFrom(value: unknown, field: string): readonly string[] | undefined | FieldProblem {
  if (value === undefined || value === null || value === '') return undefined;
  const list = typeof value === 'string' ? value.split(/[\s,]+/).filter((scope) => scope !== '') : value;
  if (!Array.isArray(list))
    return new FieldProblem(field, `${field} must be a list of scopes, got ${describeKind(value)}`);
  if (list.length > delegationLimits.maxScopes)
    return new FieldProblem(field, `${field} has more than ${delegationLimits.maxScopes} scopes`);
  for (const scope of list as unknown[]) {
    const problem = scopeProblem(scope, field);
    if (problem !== undefined) return problem;
  }
  return Object.freeze([...new Set(list as string[])]);
}

function ttlFrom(value: unknown): number | undefined | FieldProblem {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    return new FieldProblem(
      'ttl_seconds',
      `ttl_seconds must be a whole number of seconds of at least 1, got ${describeKind(value)}`,
    );
  return Math.min(value, delegationLimits.maxTtlSeconds);
}

function tokenFrom(value: unknown): string | undefined | FieldProblem {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > delegationLimits.maxTokenLength)
    return new FieldProblem('parent_token', 'parent_token must be a grant token (gh_grant_…)');
  return value;
}

function confidenceFrom(value: unknown): number | undefined | FieldProblem {
  return value === undefined || value === null ? undefined : unitNumber(value, 'confidence');
}

function fail(problem: FieldProblem): { readonly ok: false; readonly error: GatewayError } {
  return { ok: false, error: new GatewayError('invalid_request', problem.message, { param: problem.field }) };
}

function notAnObject(body: unknown): { readonly ok: false; readonly error: GatewayError } {
  return {
    ok: false,
    error: new GatewayError('invalid_request', `the body must be a JSON object, got ${describeKind(body)}`),
  };
}

/** Never throws: every input is a request or a 400 naming the field, in wire order. */
export function validateDelegateRequest(body: unknown): Validation<DelegateRequest> {
  if (!isRecord(body)) return notAnObject(body);
  const fields = {
    tenantId: optionalName(ownField(body, 'tenant_id'), 'tenant_id'),
    delegator: optionalName(ownField(body, 'delegator'), 'delegator'),
    delegatee: requiredName(ownField(body, 'delegatee'), 'delegatee'),
    scopedTo: scopesFrom(ownField(body, 'scoped_to'), 'scoped_to'),
    ttlSeconds: ttlFrom(ownField(body, 'ttl_seconds')),
    confidence: confidenceFrom(ownField(body, 'confidence')),
    actingFor: optionalName(ownField(body, 'acting_for'), 'acting_for'),
    parentToken: tokenFrom(ownField(body, 'parent_token')),
  };
  const problem = Object.values(fields).find((value) => value instanceof FieldProblem);
  if (problem instanceof FieldProblem) return fail(problem);
  return { ok: true, request: Object.freeze(fields) as DelegateRequest };
}

export function validateMintRequest(body: unknown): Validation<MintRequest> {
  if (!isRecord(body)) return notAnObject(body);
  const fields = {
    tenantId: optionalName(ownField(body, 'tenant_id'), 'tenant_id'),
    scopes: scopesFrom(ownField(body, 'scope'), 'scope'),
    actingFor: optionalName(ownField(body, 'acting_for'), 'acting_for'),
    ttlSeconds: ttlFrom(ownField(body, 'ttl_seconds')),
    actor: optionalName(ownField(body, 'actor'), 'actor'),
  };
  const problem = Object.values(fields).find((value) => value instanceof FieldProblem);
  if (problem instanceof FieldProblem) return fail(problem);
  if (fields.scopes === undefined || (Array.isArray(fields.scopes) && fields.scopes.length === 0))
    return fail(
      new FieldProblem('scope', 'scope is required: one scope, or several separated by spaces or commas'),
    );
  return {
    ok: true,
    request: Object.freeze({ ...fields, tenantId: fields.tenantId ?? 'default' }) as MintRequest,
  };
}
