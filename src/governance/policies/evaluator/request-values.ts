import type { PolicyRequest } from '../../contract.js';
import { decimalArgument, numberForm, reservedKeys, resourceKey } from '../cedar-values.js';
import type { ContextNeeds } from '../context-needs.js';
import { parseDecimal } from './operators.js';
import { DecimalValue, EntityValue, RecordValue, SetValue, type CedarValue } from './values.js';

/**
 * A request as the compiled evaluator reads it: the same principal, action, resource, entities
 * and context that `toCedarRequest` (cedar-values.ts) hands Cedar, built directly as evaluator
 * values instead of Cedar's JSON, by the same rules (shared where they are code: `numberForm`,
 * `resourceKey`, the reserved keys).
 *
 * Where Cedar would refuse the request itself rather than decide it (a `{"__expr": "…"}` record
 * in `args`, a risk beyond a decimal's range, a time beyond a safe integer, a string that is not
 * well-formed UTF-16, which Cedar's JSON reader rejects) or might (`args` nested deeper than the
 * authorize route admits, near the JSON reader's recursion limit), `requestEnvironment` returns
 * undefined and the request goes to Cedar, which gives its own answer for it.
 */
export interface RequestEnvironment {
  readonly principal: EntityValue;
  readonly action: EntityValue;
  readonly resource: EntityValue;
  readonly context: RecordValue;
  /** An entity the request carries, with its attributes and ancestors; undefined for any other. */
  entity(uid: EntityValue): StoredEntity | undefined;
}

export interface StoredEntity {
  readonly attributes: ReadonlyMap<string, CedarValue>;
  readonly ancestors: readonly EntityValue[];
}

/** Thrown while converting, caught in `requestEnvironment`: this request is Cedar's to decide. */
class NotConvertible extends Error {}

function notConvertible(): never {
  throw new NotConvertible();
}

/**
 * `Object.prototype.__proto__` is a setter: `toCedarRequest` assigns fields one by one, so a
 * `__proto__` field never reaches Cedar; it is left out here too.
 */
function keptKey(key: string): boolean {
  return !reservedKeys.has(key) && key !== '__proto__';
}

/** The authorize route refuses deeper `args` (json-bounds.ts); Cedar's reader stops at 128. */
const maxArgsDepth = 32;

function checkedText(text: string): string {
  return text.isWellFormed() ? text : notConvertible();
}

export function requestEnvironment(
  request: PolicyRequest,
  needs: ContextNeeds,
): RequestEnvironment | undefined {
  try {
    return buildEnvironment(request, needs);
  } catch (error) {
    if (error instanceof NotConvertible) return undefined;
    throw error;
  }
}

function buildEnvironment(request: PolicyRequest, needs: ContextNeeds): RequestEnvironment {
  const principal = new EntityValue(request.principalType ?? 'Agent', checkedText(request.actor));
  const tenant = new EntityValue('Tenant', checkedText(request.tenantId));
  const action = new EntityValue('Action', checkedText(request.action));
  const resourceAttributes = new Map<string, CedarValue>();
  for (const [name, value] of Object.entries(request.resource)) {
    checkedText(name);
    // The type says string; anything else is Cedar's to read.
    if (typeof value !== 'string') notConvertible();
    if (keptKey(name)) resourceAttributes.set(name, checkedText(value));
  }
  const resource = new EntityValue('Resource', resourceKey(request.resource));
  const principalEntity: StoredEntity = {
    attributes: new Map([['tenant', tenant.id]]),
    ancestors: [tenant],
  };
  const tenantEntity: StoredEntity = { attributes: new Map(), ancestors: [] };
  const resourceEntity: StoredEntity = { attributes: resourceAttributes, ancestors: [] };
  return {
    principal,
    action,
    resource,
    context: contextRecord(request.context, needs),
    entity(uid) {
      if (uid.type === principal.type && uid.id === principal.id) return principalEntity;
      if (uid.type === 'Tenant' && uid.id === tenant.id) return tenantEntity;
      if (uid.type === 'Resource' && uid.id === resource.id) return resourceEntity;
      return undefined;
    },
  };
}

function contextRecord(context: PolicyRequest['context'], needs: ContextNeeds): RecordValue {
  const wanted = (name: string) => needs.type === 'all' || needs.names.has(name);
  const fields = new Map<string, CedarValue>();
  if (wanted('risk')) fields.set('risk', decimalFrom(context.risk));
  if (wanted('time')) {
    const time = Math.floor(context.time);
    fields.set('time', Number.isSafeInteger(time) ? time : notConvertible());
  }
  if (context.confidence !== undefined && wanted('confidence')) {
    fields.set('confidence', decimalFrom(context.confidence));
  }
  if (context.scope !== undefined && wanted('scope')) fields.set('scope', checkedText(context.scope));
  if (context.actingFor !== undefined && wanted('acting_for')) {
    fields.set('acting_for', checkedText(context.actingFor));
  }
  if (wanted('args')) {
    const args = jsonValue(context.args, 0);
    if (args !== undefined) fields.set('args', args);
  }
  return new RecordValue(fields);
}

function decimalFrom(value: number): CedarValue {
  return fixedDecimal(decimalArgument(value));
}

/**
 * A decimal's text as `toFixed(4)` writes it, read as Cedar reads it: with at most fifteen digits
 * (and not "NaN", "Infinity" or an exponent, which are no safe integer) the digits without the
 * point are the scaled value exactly; anything else takes the full parse.
 */
function fixedDecimal(text: string): DecimalValue {
  if (text.length <= 16) {
    const scaled = Number(text.replace('.', ''));
    if (Number.isSafeInteger(scaled) && text.at(-5) === '.')
      return new DecimalValue(scaled === 0 ? 0 : scaled);
  }
  return parseDecimal(text) ?? notConvertible();
}

/** `toCedarValue`'s rules: see cedar-values.ts. */
function jsonValue(value: unknown, depth: number): CedarValue | undefined {
  switch (typeof value) {
    case 'string':
      return checkedText(value);
    case 'boolean':
      return value;
    case 'number':
      return numberValue(value);
    case 'object':
      if (value === null) return undefined;
      if (depth >= maxArgsDepth) notConvertible();
      return Array.isArray(value)
        ? setValue(value, depth + 1)
        : recordValue(value as Record<string, unknown>, depth + 1);
    default:
      return undefined;
  }
}

function numberValue(value: number): CedarValue | undefined {
  const form = numberForm(value);
  switch (form?.type) {
    case undefined:
      return undefined;
    case 'long':
      return value === 0 ? 0 : value;
    case 'decimal':
      return fixedDecimal(form.text);
    case 'text':
      return form.text;
  }
}

function setValue(values: readonly unknown[], depth: number): SetValue {
  const elements: CedarValue[] = [];
  for (const element of values) {
    const converted = jsonValue(element, depth);
    if (converted !== undefined) elements.push(converted);
  }
  return new SetValue(elements);
}

function recordValue(record: Record<string, unknown>, depth: number): RecordValue {
  const fields = new Map<string, CedarValue>();
  for (const [key, value] of Object.entries(record)) {
    if (!keptKey(key)) continue;
    const converted = jsonValue(value, depth);
    if (converted !== undefined) fields.set(checkedText(key), converted);
  }
  return new RecordValue(fields);
}
