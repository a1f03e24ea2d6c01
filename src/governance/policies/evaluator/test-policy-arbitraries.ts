import fc from 'fast-check';
import {
  attribute,
  attributeNames,
  boundaryDecimals,
  cedarString,
  decimalTexts,
  entityLiterals,
  entityTypes,
  hasName,
  likeOf,
  likePattern,
  longs,
  nearLimitLongs,
  parenthesized,
  reorderedRecords,
  reorderedSets,
  strings,
} from './test-cedar-literals.js';

/**
 * Random Cedar policies within the compiled evaluator's subset, as text, for the differential
 * test: every operator of the subset over the literals of test-cedar-literals.ts, typed mostly
 * right so that policies hold as often as they fail, and sometimes wrong on purpose.
 */

interface Families {
  bool: string;
  long: string;
  string: string;
  decimal: string;
  set: string;
  record: string;
  entity: string;
  any: string;
}

type Family = fc.Arbitrary<string>;

const infix = (left: Family, operators: readonly string[], right: Family) =>
  fc
    .tuple(left, fc.constantFrom(...operators), right)
    .map(([first, operator, second]) => parenthesized(`${first} ${operator} ${second}`));

const method = (target: Family, methods: readonly string[], argument: Family) =>
  fc
    .tuple(target, fc.constantFrom(...methods), argument)
    .map(([first, name, second]) => `${parenthesized(first)}.${name}(${second})`);

const pick = (values: readonly string[]) => fc.constantFrom(...values);

function booleans(family: (name: keyof Families) => Family): Family[] {
  const [bool, long, any] = [family('bool'), family('long'), family('any')];
  const [text, decimal, set, entity] = [family('string'), family('decimal'), family('set'), family('entity')];
  return [
    pick([
      'true',
      'false',
      'context.args.flag',
      '(principal has tenant)',
      '(action has x)',
      '(resource has owner)',
    ]),
    pick(attributeNames).map(
      (name) => `(context has args${attribute(name).startsWith('.') ? `.${name}` : ''})`,
    ),
    fc
      .tuple(
        pick(['context.args', 'context', 'context.args.nested', 'resource', 'principal']),
        pick(attributeNames),
      )
      .map(([target, name]) => `(${target} has ${hasName(name)})`),
    bool.map((operand) => `!${parenthesized(operand)}`),
    infix(bool, ['&&', '||'], bool),
    infix(long, ['<', '<=', '>', '>='], long),
    infix(any, ['<', '>='], any),
    infix(any, ['==', '!='], any),
    method(decimal, ['lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'], decimal),
    fc
      .tuple(text, likePattern)
      .map(([left, pattern]) => parenthesized(`${parenthesized(left)} like ${pattern}`)),
    pick(strings).chain((left) =>
      likeOf(left).map((pattern) => parenthesized(`${cedarString(left)} like ${pattern}`)),
    ),
    method(set, ['contains', 'containsAll', 'containsAny'], any),
    set.map((operand) => `${parenthesized(operand)}.isEmpty()`),
    infix(entity, ['in'], fc.oneof(entity, set, any)),
    fc
      .tuple(fc.oneof(entity, any), pick(entityTypes), fc.option(entity, { nil: undefined }))
      .map(([left, type, ancestor]) =>
        parenthesized(`${left} is ${type}${ancestor === undefined ? '' : ` in ${ancestor}`}`),
      ),
    infix(pick(boundaryDecimals), ['==', '!='], pick(boundaryDecimals)),
    method(pick(boundaryDecimals), ['lessThan', 'greaterThanOrEqual'], pick(boundaryDecimals)),
    infix(pick(reorderedSets), ['=='], pick(reorderedSets)),
    method(pick(reorderedSets), ['containsAny', 'containsAll', 'contains'], pick(reorderedSets)),
    infix(pick(reorderedRecords), ['=='], pick(reorderedRecords)),
  ];
}

export const expressions = fc.letrec<Families>((tie) => {
  const nested = { depthIdentifier: 'cedar-expression', depthSize: 'small', maxDepth: 4 } as const;
  const family = (name: keyof Families) => tie(name) as Family;
  const any = family('any');
  const ifThenElse = (name: keyof Families) =>
    fc
      .tuple(family('bool'), family(name), family(name))
      .map(([test, then, otherwise]) => `(if ${test} then ${then} else ${otherwise})`);
  const readAttribute = fc
    .tuple(
      pick([
        'principal',
        'resource',
        'action',
        'Tenant::"acme"',
        'Agent::"ghost"',
        'context',
        'context.args',
      ]),
      pick([...attributeNames, 'tenant', 'type', 'id', 'owner']),
    )
    .map(([target, name]) => `${target}${attribute(name)}`);
  const fields = fc.array(fc.tuple(pick(attributeNames), any), { maxLength: 3 }).map((pairs) => {
    const unique = new Map(pairs);
    return `{${[...unique].map(([name, value]) => `${cedarString(name)}: ${value}`).join(', ')}}`;
  });
  return {
    bool: fc.oneof(nested, ...booleans(family), ifThenElse('bool')),
    long: fc.oneof(
      nested,
      pick(longs),
      pick(['context.args.amount', 'context.args.count', 'context.time', 'context.args.nested.amount']),
      pick(nearLimitLongs),
      family('long').map((operand) => `-${parenthesized(operand)}`),
      infix(family('long'), ['+', '-', '*'], family('long')),
      infix(any, ['+', '*'], family('long')),
      ifThenElse('long'),
    ),
    string: fc.oneof(
      nested,
      pick(strings).map(cedarString),
      pick(['resource.type', 'resource.id', 'resource.owner', 'principal.tenant', 'context.scope']),
      pick(['context.acting_for', 'context.args.memo', 'context.args["a b"]']),
      ifThenElse('string'),
    ),
    decimal: fc.oneof(
      nested,
      pick(decimalTexts).map((text) => `decimal(${cedarString(text)})`),
      pick(['context.risk', 'context.confidence', 'context.args.rate', 'context.args.amount']),
      family('string').map((text) => `decimal(${text})`),
      ifThenElse('decimal'),
    ),
    set: fc.oneof(
      nested,
      pick(['[]', '[1, 2, 3]', '["invoice", 1]', '[decimal("1.0"), decimal("1.00")]', '[[1, 2], [2, 1]]']),
      pick(['context.args.tags', 'context.args.nested.tags', `[${entityLiterals.slice(0, 4).join(', ')}]`]),
      fc.array(any, { maxLength: 3 }).map((elements) => `[${elements.join(', ')}]`),
      ifThenElse('set'),
    ),
    record: fc.oneof(
      nested,
      pick(['context', 'context.args', 'context.args.nested', '{}', '{amount: 37}', '{"a b": [1, 2]}']),
      fields,
      ifThenElse('record'),
    ),
    entity: fc.oneof(
      nested,
      pick(['principal', 'resource', 'action', ...entityLiterals]),
      ifThenElse('entity'),
    ),
    any: fc.oneof(
      nested,
      ...(['bool', 'long', 'string', 'decimal', 'set', 'record', 'entity'] as const).map(family),
      readAttribute,
      pick(attributeNames).map((name) => `context.args${attribute(name)}`),
    ),
  };
});

/** The unconstrained scope half the time, so that policies hold often enough to be compared. */
function scope(open: string, constrained: readonly string[]) {
  return fc.oneof(fc.constant(open), pick(constrained));
}

const principalScope = scope('principal', [
  'principal == Agent::"a"',
  'principal == User::"a"',
  'principal in Tenant::"acme"',
  'principal is Agent',
  'principal is User in Tenant::"acme"',
  'principal in Agent::"bench-agent"',
  'principal in Tenant::"globex"',
]);
const actionScope = scope('action', [
  'action == Action::"read"',
  'action in [Action::"read", Action::"write"]',
  'action in Action::"delete"',
  'action == Other::Action::"read"',
]);
const resourceScope = scope('resource', [
  'resource == Resource::"inv_1"',
  'resource is Resource',
  'resource in Resource::"inv_1"',
  'resource is Resource in Tenant::"acme"',
  'resource is Agent',
  'resource == Resource::"owner=ada&type=invoice"',
]);

const clause = fc
  .tuple(
    pick(['when', 'when', 'unless']),
    fc.oneof({ weight: 4, arbitrary: expressions.bool }, { weight: 1, arbitrary: expressions.any }),
  )
  .map(([kind, body]) => `${kind} { ${body} }`);

/** One policy with the given id; its effect, grant, scope and zero to two clauses random. */
export function policyText(id: string) {
  return fc
    .tuple(
      pick(['permit', 'permit', 'forbid']),
      pick(['', '@decision("human_review") ']),
      principalScope,
      actionScope,
      resourceScope,
      fc.array(clause, { maxLength: 2 }),
    )
    .map(([effect, decision, principal, action, resource, clauses]) => {
      const grant = effect === 'permit' ? decision : '';
      return `@id("${id}") ${grant}${effect}(${principal}, ${action}, ${resource}) ${clauses.join(' ')};`;
    });
}

/** One to four policies, ids p0, p1, …, as one text. */
export const policySetText = fc
  .integer({ min: 1, max: 4 })
  .chain((count) => fc.tuple(...Array.from({ length: count }, (_, index) => policyText(`p${index}`))))
  .map((texts) => texts.join('\n'));
