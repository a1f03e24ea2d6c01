import { GatewayError } from '../errors/index.js';
import { signalFrom, type ConfidenceSignal } from './confidence-signal.js';
import { describeKind, FieldProblem, isRecord, ownField, unitNumber } from './field-problem.js';
import { checkJsonBounds, memberPath, unpairedSurrogate, type JsonBounds } from './json-bounds.js';

export { confidenceProviders, type ConfidenceProvider, type ConfidenceSignal } from './confidence-signal.js';

/**
 * The body of `POST /v1/agent/authorize` (Lelu's wire contract, GOVERNANCE.md), validated and in
 * camelCase. Lelu's Go engine ignores unknown fields and reads `null` or `""` as an absent
 * optional field (its SDK sends `""` for an unset `acting_for`), so these do too; anything else
 * that is not what the contract says is a 400 naming the field, before anything is decided.
 */

export interface AuthorizeRequest {
  /** `default` when the caller sends none (Lelu's SDK default). */
  readonly tenantId: string;
  readonly actor: string;
  readonly action: string;
  readonly resource: Readonly<Record<string, string>>;
  /** Client-asserted, in [0, 1]; counted only when `allow_unverified` is on. */
  readonly confidence: number | undefined;
  readonly confidenceSignal: ConfidenceSignal | undefined;
  readonly actingFor: string | undefined;
  readonly scope: string | undefined;
  /** The action's arguments: any JSON within `authorizeRequestLimits.args`; undefined when absent. */
  readonly args: unknown;
}

/** Bounds of an authorize request, documented in docs/governance.md. */
export const authorizeRequestLimits = Object.freeze({
  /** `tenant_id`, `actor`, `action`, `acting_for`, `scope`, and resource keys. */
  maxNameLength: 1_024,
  maxResourceEntries: 256,
  maxResourceValueLength: 8_192,
  /** Tokens in `token_logprobs` or `token_probabilities`. */
  maxSignalTokens: 100_000,
  args: Object.freeze({ maxDepth: 32, maxValues: 10_000, maxStringBytes: 256 * 1024 }) satisfies JsonBounds,
});

export type AuthorizeRequestValidation =
  | { readonly ok: true; readonly request: AuthorizeRequest }
  | { readonly ok: false; readonly error: GatewayError };

export interface AuthorizeRequestOptions {
  /** The agent the caller's key is bound to: fills a missing `actor` (the route checks a mismatch). */
  readonly actorFallback?: string | undefined;
  /** The tenant of the grant the caller presented: fills a missing `tenant_id`. */
  readonly tenantFallback?: string | undefined;
}

/** An optional name: absent, null and "" are all absent. */
export function optionalName(value: unknown, field: string): string | undefined | FieldProblem {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    return new FieldProblem(field, `${field} must be a string, got ${describeKind(value)}`);
  if (value.length > authorizeRequestLimits.maxNameLength)
    return new FieldProblem(
      field,
      `${field} is longer than ${authorizeRequestLimits.maxNameLength} characters`,
    );
  if (!value.isWellFormed()) return new FieldProblem(field, `${field} ${unpairedSurrogate}`);
  return value;
}

function requiredName(value: unknown, field: string, fallback: string | undefined): string | FieldProblem {
  const name = optionalName(value, field);
  if (name instanceof FieldProblem) return name;
  return name ?? fallback ?? new FieldProblem(field, `${field} is required (a non-empty string)`);
}

function resourceEntry(key: string, entry: unknown): FieldProblem | undefined {
  const limits = authorizeRequestLimits;
  const field = memberPath('resource', key);
  if (typeof entry !== 'string')
    return new FieldProblem(field, `${field} must be a string, got ${describeKind(entry)}`);
  if (key.length > limits.maxNameLength)
    return new FieldProblem('resource', `a resource key is longer than ${limits.maxNameLength} characters`);
  if (entry.length > limits.maxResourceValueLength)
    return new FieldProblem(field, `${field} is longer than ${limits.maxResourceValueLength} characters`);
  if (!key.isWellFormed()) return new FieldProblem('resource', `a resource key ${unpairedSurrogate}`);
  if (!entry.isWellFormed()) return new FieldProblem(field, `${field} ${unpairedSurrogate}`);
  return undefined;
}

function resourceFrom(value: unknown): Readonly<Record<string, string>> | FieldProblem {
  if (value === undefined || value === null) return Object.freeze({});
  if (!isRecord(value))
    return new FieldProblem('resource', `resource must be an object of strings, got ${describeKind(value)}`);
  const keys = Object.keys(value);
  if (keys.length > authorizeRequestLimits.maxResourceEntries)
    return new FieldProblem(
      'resource',
      `resource has more than ${authorizeRequestLimits.maxResourceEntries} entries`,
    );
  const entries: [string, string][] = [];
  for (const key of keys) {
    const entry = value[key];
    const problem = resourceEntry(key, entry);
    if (problem !== undefined) return problem;
    entries.push([key, entry as string]);
  }
  // `fromEntries` defines own properties, so a `__proto__` key stays a plain entry.
  return Object.freeze(Object.fromEntries(entries));
}

function argsFrom(value: unknown): unknown {
  if (value === undefined) return undefined;
  const problem = checkJsonBounds(value, 'args', authorizeRequestLimits.args);
  return problem === undefined ? value : new FieldProblem(problem.path, `${problem.path} ${problem.message}`);
}

function confidenceFrom(value: unknown): number | undefined | FieldProblem {
  return value === undefined || value === null ? undefined : unitNumber(value, 'confidence');
}

function fieldsOf(
  body: Record<string, unknown>,
  options: AuthorizeRequestOptions,
): AuthorizeRequest | FieldProblem {
  // In wire order, so the first problem reported is the first field a reader would check.
  const tenantId = optionalName(ownField(body, 'tenant_id'), 'tenant_id');
  if (tenantId instanceof FieldProblem) return tenantId;
  const actor = requiredName(ownField(body, 'actor'), 'actor', options.actorFallback);
  if (actor instanceof FieldProblem) return actor;
  const action = requiredName(ownField(body, 'action'), 'action', undefined);
  if (action instanceof FieldProblem) return action;
  const resource = resourceFrom(ownField(body, 'resource'));
  if (resource instanceof FieldProblem) return resource;
  const confidence = confidenceFrom(ownField(body, 'confidence'));
  if (confidence instanceof FieldProblem) return confidence;
  const confidenceSignal = signalFrom(
    ownField(body, 'confidence_signal'),
    authorizeRequestLimits.maxSignalTokens,
  );
  if (confidenceSignal instanceof FieldProblem) return confidenceSignal;
  const actingFor = optionalName(ownField(body, 'acting_for'), 'acting_for');
  if (actingFor instanceof FieldProblem) return actingFor;
  const scope = optionalName(ownField(body, 'scope'), 'scope');
  if (scope instanceof FieldProblem) return scope;
  const args = argsFrom(ownField(body, 'args'));
  if (args instanceof FieldProblem) return args;
  return Object.freeze({
    tenantId: tenantId ?? options.tenantFallback ?? 'default',
    ...{ actor, action, resource, confidence, confidenceSignal, actingFor, scope, args },
  });
}

/** Never throws: every input, JSON or not, is either a request or a 400 naming the field. */
export function validateAuthorizeRequest(
  body: unknown,
  options: AuthorizeRequestOptions = {},
): AuthorizeRequestValidation {
  if (!isRecord(body)) {
    const message = `the body must be a JSON object, got ${describeKind(body)}`;
    return { ok: false, error: new GatewayError('invalid_request', message) };
  }
  const result = fieldsOf(body, options);
  if (result instanceof FieldProblem)
    return { ok: false, error: new GatewayError('invalid_request', result.message, { param: result.field }) };
  return { ok: true, request: result };
}
