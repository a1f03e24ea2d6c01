import fc from 'fast-check';

/**
 * Random Cedar policies within the compiled evaluator's subset, as text, for the differential
 * test: every operator of the subset, literals of every type (including ones that make Cedar err:
 * malformed decimals, Longs whose arithmetic overflows, attributes that may be absent), typed
 * mostly right so that policies hold as often as they fail, and sometimes wrong on purpose.
 */

/** A Cedar string literal. */
export function cedarString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

const parenthesized = (text: string) => `(${text})`;

const strings = ['invoice', 'contract', 'acme', 'globex', '', 'a*b', 'ünï', '😀', 'monthly invoice run', 'ada', 'x y'];
const longs = [
  0, 1, -1, 2, 7, 37, 100, 999, 1000, 1024, 1025, 4096, 2147483648, 3037000499, 3037000500, 4294967296,
  922337203685477, 9007199254740991, -9007199254740991,
];
const decimalTexts = [
  '0.5', '0.9', '0.95', '1.0', '-0.5', '0.0001', '0.1', '0.00005', '0.25', '0.2500', '922337203685477.5807',
  '-922337203685477.5808', '922337203685477.5808', '1', 'abc', '1.', '.5', '01.50', '-0.0', '1e3', '+1.0',
  ' 1.0', '0.4999', '0.5001', '123456789012.3456',
];
/** Attribute names the request generator uses, present or not, plus some it never uses. */
export const argNames = ['amount', 'memo', 'rate', 'tags', 'flag', 'nested', 'a b', 'count', '', '__expr', '__proto__'];
const attributeNames = [...argNames, 'missing'];
const entityLiterals = [
  'Agent::"a"', 'Agent::"bench-agent"', 'User::"a"', 'Tenant::"acme"', 'Tenant::"globex"', 'Resource::"inv_1"',
  'Resource::"owner=ada&type=invoice"', 'Action::"read"', 'Action::"write"', 'Agent::"ghost"', 'Ns::Agent::"a"',
];
const entityTypes = ['Agent', 'User', 'Tenant', 'Resource', 'Action', 'Ns::Agent'];

function attribute(name: string): string {
  return /^[A-Za-z_]\w*$/.test(name) ? `.${name}` : `[${cedarString(name)}]`;
}

function hasName(name: string): string {
  return /^[A-Za-z_]\w*$/.test(name) ? name : cedarString(name);
}

const likePiece = fc.constantFrom('a', 'b', 'i', 'n', 'v', 'o', 'c', 'e', '*', '\\*', 'é', '😀', ' ');
/** A pattern made from `text`: some characters turned into wildcards or dropped, stars around it. */
function likeOf(text: string) {
  return fc
    .tuple(fc.infiniteStream(fc.constantFrom('keep', 'keep', 'keep', 'star', 'drop')), fc.boolean(), fc.boolean())
    .map(([choices, leading, trailing]) => {
      const characters = Array.from(text).map((character) => {
        const choice = choices.next().value as string;
        if (choice === 'star') return '*';
        if (choice === 'drop') return '';
        return character === '*' ? '\\*' : character.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
      });
      return `"${leading ? '*' : ''}${characters.join('')}${trailing ? '*' : ''}"`;
    });
}

/** A pattern of random pieces, or one made from a string the requests use. */
const likePattern = fc.oneof(
  fc.array(likePiece, { maxLength: 6 }).map((pieces) => `"${pieces.join('')}"`),
  fc.constantFrom(...strings).chain(likeOf),
);

/** Values at a decimal's rounding boundaries, to compare with requests' numbers there. */
const boundaryDecimals = fc.constantFrom(
  'context.risk', 'context.confidence', 'context.args.rate', 'decimal("0.9500")', 'decimal("0.9501")', 'decimal("0.5")',
  'decimal("0.5001")', 'decimal("0.0001")', 'decimal("0.0")', 'decimal("1.0001")', 'decimal("922337203685477.5807")',
  'decimal("922337203685476.9")', 'decimal("922337203685476.8750")', 'decimal("-0.0001")',
);
/** Sets and records equal up to order or repetition, or nearly. */
const reorderedSets = fc.constantFrom(
  '[1, 2, 3]', '[3, 2, 1, 1]', '["invoice", 1]', '[1, "invoice"]', '[0, 1]', '[1, 0]', '[]', 'context.args.tags',
  'context.args.nested.tags', '[[0, 1], {a: 1, b: 2}]', '[{b: 2, a: 1}, [1, 0]]', '[decimal("1.0"), decimal("1.00")]',
  '[decimal("1.0")]', '["invoice"]', '[0]',
);
const reorderedRecords = fc.constantFrom(
  '{amount: 37, memo: "monthly invoice run"}', '{memo: "monthly invoice run", amount: 37}', '{amount: 1, tags: [0]}',
  '{tags: [0], amount: 1}', 'context.args', 'context.args.nested', '{}', '{"__proto__": 1}',
);

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

export const expressions = fc.letrec<Families>((tie) => {
  const nested = { depthIdentifier: 'cedar-expression', depthSize: 'small', maxDepth: 4 } as const;
  const any = tie('any');
  const ifThenElse = (family: keyof Families) =>
    fc
      .tuple(tie('bool'), tie(family), tie(family))
      .map(([test, then, otherwise]) => `(if ${test} then ${then} else ${otherwise})`);
  const contextPath = fc.constantFrom(...attributeNames).map((name) => `context.args${attribute(name)}`);
  return {
    bool: fc.oneof(
      nested,
      fc.constantFrom('true', 'false', 'context.args.flag', '(principal has tenant)', '(action has x)', '(resource has owner)'),
      fc.constantFrom(...attributeNames).map((name) => `(context has args${attribute(name).startsWith('.') ? `.${name}` : ''})`),
      fc.tuple(fc.constantFrom('context.args', 'context', 'context.args.nested', 'resource', 'principal'), fc.constantFrom(...attributeNames)).map(([target, name]) => `(${target} has ${hasName(name)})`),
      tie('bool').map((operand) => `!${parenthesized(operand)}`),
      fc.tuple(tie('bool'), fc.constantFrom('&&', '||'), tie('bool')).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      fc.tuple(tie('long'), fc.constantFrom('<', '<=', '>', '>='), tie('long')).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      fc.tuple(any, fc.constantFrom('<', '>='), any).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      fc.tuple(any, fc.constantFrom('==', '!='), any).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      fc.tuple(tie('decimal'), fc.constantFrom('lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual'), tie('decimal')).map(([left, method, right]) => `${parenthesized(left)}.${method}(${right})`),
      fc.tuple(tie('string'), likePattern).map(([text, pattern]) => parenthesized(`${parenthesized(text)} like ${pattern}`)),
      fc.constantFrom(...strings).chain((text) => likeOf(text).map((pattern) => parenthesized(`${cedarString(text)} like ${pattern}`))),
      fc.tuple(tie('set'), fc.constantFrom('contains', 'containsAll', 'containsAny'), any).map(([set, method, argument]) => `${parenthesized(set)}.${method}(${argument})`),
      tie('set').map((set) => `${parenthesized(set)}.isEmpty()`),
      fc.tuple(tie('entity'), fc.oneof(tie('entity'), tie('set'), any)).map(([left, right]) => parenthesized(`${left} in ${right}`)),
      fc.tuple(fc.oneof(tie('entity'), any), fc.constantFrom(...entityTypes), fc.option(tie('entity'), { nil: undefined })).map(([left, type, ancestor]) => parenthesized(`${left} is ${type}${ancestor === undefined ? '' : ` in ${ancestor}`}`)),
      fc.tuple(boundaryDecimals, fc.constantFrom('==', '!='), boundaryDecimals).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      fc.tuple(boundaryDecimals, fc.constantFrom('lessThan', 'greaterThanOrEqual'), boundaryDecimals).map(([left, method, right]) => `${parenthesized(left)}.${method}(${right})`),
      fc.tuple(reorderedSets, fc.constantFrom('==', 'containsAny', 'containsAll', 'contains'), reorderedSets).map(([left, operator, right]) => (operator === '==' ? parenthesized(`${left} == ${right}`) : `${parenthesized(left)}.${operator}(${right})`)),
      fc.tuple(reorderedRecords, reorderedRecords).map(([left, right]) => parenthesized(`${left} == ${right}`)),
      ifThenElse('bool'),
    ),
    long: fc.oneof(
      nested,
      fc.constantFrom(...longs).map(String),
      fc.constantFrom('context.args.amount', 'context.args.count', 'context.time', 'context.args.nested.amount'),
      // Near the 64-bit limits: 2^63 - 1024, 3037000499² and -2^63 (which cannot be negated).
      fc.constantFrom(
        '(9007199254740991 * 1024)',
        '(3037000499 * 3037000499)',
        '((-9007199254740991 * 1024) - 1024)',
        '(-((-9007199254740991 * 1024) - 1024))',
      ),
      tie('long').map((operand) => `-${parenthesized(operand)}`),
      fc.tuple(tie('long'), fc.constantFrom('+', '-', '*'), tie('long')).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      fc.tuple(any, fc.constantFrom('+', '*'), tie('long')).map(([left, operator, right]) => parenthesized(`${left} ${operator} ${right}`)),
      ifThenElse('long'),
    ),
    string: fc.oneof(
      nested,
      fc.constantFrom(...strings).map(cedarString),
      fc.constantFrom('resource.type', 'resource.id', 'resource.owner', 'principal.tenant', 'context.scope', 'context.acting_for', 'context.args.memo', 'context.args["a b"]'),
      ifThenElse('string'),
    ),
    decimal: fc.oneof(
      nested,
      fc.constantFrom(...decimalTexts).map((text) => `decimal(${cedarString(text)})`),
      fc.constantFrom('context.risk', 'context.confidence', 'context.args.rate', 'context.args.amount'),
      tie('string').map((text) => `decimal(${text})`),
      ifThenElse('decimal'),
    ),
    set: fc.oneof(
      nested,
      fc.constantFrom('[]', '[1, 2, 3]', '["invoice", 1]', '[decimal("1.0"), decimal("1.00")]', '[[1, 2], [2, 1]]', 'context.args.tags', 'context.args.nested.tags', `[${entityLiterals.slice(0, 4).join(', ')}]`),
      fc.array(any, { maxLength: 3 }).map((elements) => `[${elements.join(', ')}]`),
      ifThenElse('set'),
    ),
    record: fc.oneof(
      nested,
      fc.constantFrom('context', 'context.args', 'context.args.nested', '{}', '{amount: 37}', '{amount: 37, memo: "monthly invoice run"}', '{"a b": [1, 2]}'),
      fc.array(fc.tuple(fc.constantFrom(...attributeNames), any), { maxLength: 3 }).map((fields) => {
        const unique = new Map(fields);
        return `{${[...unique].map(([name, value]) => `${cedarString(name)}: ${value}`).join(', ')}}`;
      }),
      ifThenElse('record'),
    ),
    entity: fc.oneof(
      nested,
      fc.constantFrom('principal', 'resource', 'action', ...entityLiterals),
      ifThenElse('entity'),
    ),
    any: fc.oneof(
      nested,
      tie('bool'),
      tie('long'),
      tie('string'),
      tie('decimal'),
      tie('set'),
      tie('record'),
      tie('entity'),
      fc.tuple(fc.constantFrom('principal', 'resource', 'action', 'Tenant::"acme"', 'Agent::"ghost"', 'context', 'context.args'), fc.constantFrom(...attributeNames, 'tenant', 'type', 'id', 'owner')).map(([target, name]) => `${target}${attribute(name)}`),
      contextPath,
    ),
  };
});

const principalScopes = [
  'principal', 'principal == Agent::"a"', 'principal == User::"a"', 'principal in Tenant::"acme"', 'principal is Agent',
  'principal is User in Tenant::"acme"', 'principal in Agent::"bench-agent"', 'principal in Tenant::"globex"',
];
const actionScopes = [
  'action', 'action == Action::"read"', 'action in [Action::"read", Action::"write"]', 'action in Action::"delete"',
  'action == Other::Action::"read"',
];
const resourceScopes = [
  'resource', 'resource == Resource::"inv_1"', 'resource is Resource', 'resource in Resource::"inv_1"',
  'resource is Resource in Tenant::"acme"', 'resource is Agent', 'resource == Resource::"owner=ada&type=invoice"',
];

/** The unconstrained scope half the time, so that policies hold often enough to be compared. */
function scope(scopes: readonly string[]) {
  const [open = '', ...constrained] = scopes;
  return fc.oneof(fc.constant(open), fc.constantFrom(...constrained));
}

const clause = fc
  .tuple(fc.constantFrom('when', 'when', 'unless'), fc.oneof({ weight: 4, arbitrary: expressions.bool }, { weight: 1, arbitrary: expressions.any }))
  .map(([kind, body]) => `${kind} { ${body} }`);

/** One policy with the given id; its effect, grant, scope and zero to two clauses random. */
export function policyText(id: string) {
  return fc
    .tuple(
      fc.constantFrom('permit', 'permit', 'forbid'),
      fc.constantFrom('', '@decision("human_review") '),
      scope(principalScopes),
      scope(actionScopes),
      scope(resourceScopes),
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
