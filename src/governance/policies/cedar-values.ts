import type { CedarValueJson, Context, EntityJson, EntityUidJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { PolicyRequest } from '../contract.js';
import type { ContextNeeds } from './context-needs.js';

/**
 * How a request becomes a Cedar request. The conventions (documented in docs/governance.md):
 *
 * - principal `Agent::"<actor>"` (`User::"<user_id>"` for a human RBAC check), with attribute `tenant` and parent `Tenant::"<tenant_id>"`, so a
 *   policy can say `principal.tenant == "acme"` or `principal in Tenant::"acme"`;
 * - action `Action::"<action>"`;
 * - resource `Resource::"<key>"` with the resource map as string attributes; the key is the map's
 *   `id` when it has one, else its pairs sorted by name (`type=invoice&owner=ada`), so the same
 *   attributes always name the same entity;
 * - context `{ confidence?, scope?, acting_for?, risk, time, args? }`;
 * - a delegation (action `delegate`): principal the delegator, resource `Agent::"<delegatee>"`,
 *   context `{ scope, scopes, ttl_seconds, depth, confidence?, acting_for?, risk: 0, time }`.
 *
 * Numbers: Cedar's only number type is a 64-bit integer (Long). Integers stay Longs; every other
 * finite number becomes a Cedar `decimal` (four fractional digits, rounded half away from zero),
 * which policies compare with `.greaterThan(decimal("0.9"))` and the like. `confidence` and `risk`
 * are always decimals, even at 0 or 1, so one policy works for every value. Cedar has no null:
 * JSON nulls are left out (`has` tells). Keys `__entity`, `__extn` and `__expr` are Cedar's escapes
 * in its JSON form (the last one removed, refused by its reader), so they are dropped from `args`:
 * a caller must neither forge an entity reference nor make Cedar refuse the request (a forced deny).
 */

/** Cedar decimals hold four fractional digits within ±922337203685477.5807. */
const decimalLimit = 922_337_203_685_477;
export const reservedKeys: ReadonlySet<string> = new Set(['__entity', '__extn', '__expr']);

export function cedarDecimal(value: number): CedarValueJson {
  return { __extn: { fn: 'decimal', arg: decimalArgument(value) } };
}

/** The text of a number's decimal: four fractional digits, rounded half away from zero. */
export function decimalArgument(value: number): string {
  return value.toFixed(4);
}

/**
 * What a JSON number becomes in Cedar (the compiled evaluator converts by the same rule):
 * a Long, a decimal's text, a plain text, or nothing.
 */
export type NumberForm =
  { readonly type: 'long' } | { readonly type: 'decimal' | 'text'; readonly text: string } | undefined;

export function numberForm(value: number): NumberForm {
  if (Number.isSafeInteger(value)) return { type: 'long' };
  if (!Number.isFinite(value)) return undefined;
  // Beyond a decimal's range (or an integer beyond 2^53, already imprecise): its text, kept visible.
  return Math.abs(value) < decimalLimit
    ? { type: 'decimal', text: decimalArgument(value) }
    : { type: 'text', text: String(value) };
}

/** Any JSON value as a Cedar value; undefined when it has none (null, non-finite numbers). */
export function toCedarValue(value: unknown): CedarValueJson | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return cedarNumber(value);
    case 'object':
      if (value === null) return undefined;
      return Array.isArray(value) ? cedarSet(value) : cedarRecord(value as Record<string, unknown>);
    default:
      return undefined;
  }
}

function cedarNumber(value: number): CedarValueJson | undefined {
  const form = numberForm(value);
  switch (form?.type) {
    case undefined:
      return undefined;
    case 'long':
      return value;
    case 'decimal':
      return { __extn: { fn: 'decimal', arg: form.text } };
    case 'text':
      return form.text;
  }
}

function cedarSet(values: readonly unknown[]): CedarValueJson {
  return values.map(toCedarValue).filter((element) => element !== undefined);
}

function cedarRecord(record: Record<string, unknown>): CedarValueJson {
  const converted: Record<string, CedarValueJson> = {};
  for (const [key, value] of Object.entries(record)) {
    if (reservedKeys.has(key)) continue;
    const cedar = toCedarValue(value);
    if (cedar !== undefined) converted[key] = cedar;
  }
  return converted;
}

/** The resource's entity id: its `id` attribute, else its attributes sorted by name. */
export function resourceKey(resource: Readonly<Record<string, string>>): string {
  const id = resource.id;
  if (id !== undefined) return id;
  return Object.keys(resource)
    .sort()
    .map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(resource[name] ?? '')}`)
    .join('&');
}

export interface CedarRequest {
  readonly principal: EntityUidJson;
  readonly action: EntityUidJson;
  readonly resource: EntityUidJson;
  readonly context: Context;
  readonly entities: EntityJson[];
}

/** `needs`: the context attributes the policies asked will read (all by default); see context-needs.ts. */
export function toCedarRequest(request: PolicyRequest, needs: ContextNeeds = allContext): CedarRequest {
  const principal = { type: request.principalType ?? 'Agent', id: request.actor };
  const tenant = { type: 'Tenant', id: request.tenantId };
  const resource = { type: request.resourceType ?? 'Resource', id: resourceKey(request.resource) };
  const principalEntity: EntityJson = {
    uid: principal,
    attrs: { tenant: request.tenantId },
    parents: [tenant],
  };
  // A delegatee is an agent of the tenant, like the principal (and may be the principal itself).
  const resourceEntity: EntityJson =
    resource.type === 'Agent'
      ? { uid: resource, attrs: { tenant: request.tenantId }, parents: [tenant] }
      : { uid: resource, attrs: resourceAttributes(request.resource), parents: [] };
  const sameEntity = resource.type === principal.type && resource.id === principal.id;
  return {
    principal,
    action: { type: 'Action', id: request.action },
    resource,
    context: toCedarContext(request.context, needs),
    entities: [
      principalEntity,
      { uid: tenant, attrs: {}, parents: [] },
      ...(sameEntity ? [] : [resourceEntity]),
    ],
  };
}

function resourceAttributes(resource: Readonly<Record<string, string>>): Record<string, CedarValueJson> {
  const attributes: Record<string, CedarValueJson> = {};
  for (const [name, value] of Object.entries(resource)) if (!reservedKeys.has(name)) attributes[name] = value;
  return attributes;
}

const allContext: ContextNeeds = { type: 'all' };

function toCedarContext(context: PolicyRequest['context'], needs: ContextNeeds): Context {
  const wanted = (name: string) => needs.type === 'all' || needs.names.has(name);
  const args = wanted('args') ? toCedarValue(context.args) : undefined;
  const cedar: Context = {};
  if (wanted('risk')) cedar.risk = cedarDecimal(context.risk);
  if (wanted('time')) cedar.time = Math.floor(context.time);
  if (context.confidence !== undefined && wanted('confidence')) {
    cedar.confidence = cedarDecimal(context.confidence);
  }
  if (context.scope !== undefined && wanted('scope')) cedar.scope = context.scope;
  if (context.actingFor !== undefined && wanted('acting_for')) cedar.acting_for = context.actingFor;
  if (args !== undefined) cedar.args = args;
  const { delegation } = context;
  if (delegation !== undefined) {
    if (wanted('scopes')) cedar.scopes = [...delegation.scopes];
    if (wanted('ttl_seconds')) cedar.ttl_seconds = delegation.ttlSeconds;
    if (wanted('depth')) cedar.depth = delegation.depth;
  }
  return cedar;
}
