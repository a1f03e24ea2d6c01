import fc from 'fast-check';

/**
 * The pieces random policies are made of (test-policy-arbitraries.ts): literals of every type,
 * including ones that make Cedar err (malformed or out-of-range decimals, Longs whose arithmetic
 * overflows), attribute names the requests use or not, and values equal up to order.
 */

/** A Cedar string literal. */
export function cedarString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export const parenthesized = (text: string) => `(${text})`;

/** `|`-separated lists keep the pools readable. */
const list = (items: string) => items.split('|');

export const strings = list('invoice|contract|acme|globex||a*b|ünï|😀|monthly invoice run|ada|x y');
export const longs = list(
  '0|1|-1|2|7|37|100|999|1000|1024|1025|4096|2147483648|3037000499|3037000500|4294967296|922337203685477|9007199254740991|-9007199254740991',
);
/** Near the 64-bit limits: 2^63 - 1024, 3037000499² and -2^63 (which cannot be negated). */
export const nearLimitLongs = list(
  '(9007199254740991 * 1024)|(3037000499 * 3037000499)|((-9007199254740991 * 1024) - 1024)|(-((-9007199254740991 * 1024) - 1024))',
);
export const decimalTexts = list(
  '0.5|0.9|0.95|1.0|-0.5|0.0001|0.1|0.00005|0.25|0.2500|922337203685477.5807|-922337203685477.5808|922337203685477.5808|1|abc|1.|.5|01.50|-0.0|1e3|+1.0| 1.0|0.4999|0.5001|123456789012.3456',
);
/** Attribute names the request generator uses, present or not. */
export const argNames = list('amount|memo|rate|tags|flag|nested|a b|count||__expr|__proto__');
export const attributeNames = [...argNames, 'missing'];
export const entityLiterals = list(
  'Agent::"a"|Agent::"bench-agent"|User::"a"|Tenant::"acme"|Tenant::"globex"|Resource::"inv_1"|Resource::"owner=ada&type=invoice"|Action::"read"|Action::"write"|Agent::"ghost"|Ns::Agent::"a"',
);
export const entityTypes = list('Agent|User|Tenant|Resource|Action|Ns::Agent');

/** Values at a decimal's rounding boundaries, to compare with requests' numbers there. */
export const boundaryDecimals = list(
  'context.risk|context.confidence|context.args.rate|decimal("0.9500")|decimal("0.9501")|decimal("0.5")|decimal("0.5001")|decimal("0.0001")|decimal("0.0")|decimal("1.0001")|decimal("922337203685477.5807")|decimal("922337203685476.9")|decimal("922337203685476.8750")|decimal("-0.0001")',
);
/** Sets and records equal up to order or repetition, or nearly. */
export const reorderedSets = list(
  '[1, 2, 3]|[3, 2, 1, 1]|["invoice", 1]|[1, "invoice"]|[0, 1]|[1, 0]|[]|context.args.tags|context.args.nested.tags|[[0, 1], {a: 1, b: 2}]|[{b: 2, a: 1}, [1, 0]]|[decimal("1.0"), decimal("1.00")]|[decimal("1.0")]|["invoice"]|[0]',
);
export const reorderedRecords = list(
  '{amount: 37, memo: "monthly invoice run"}|{memo: "monthly invoice run", amount: 37}|{amount: 1, tags: [0]}|{tags: [0], amount: 1}|context.args|context.args.nested|{}|{"__proto__": 1}',
);

const identifier = /^[A-Za-z_]\w*$/;

/** `.name`, or `["name"]` for a name that is no identifier. */
export function attribute(name: string): string {
  return identifier.test(name) ? `.${name}` : `[${cedarString(name)}]`;
}

export function hasName(name: string): string {
  return identifier.test(name) ? name : cedarString(name);
}

const likePiece = fc.constantFrom('a', 'b', 'i', 'n', 'v', 'o', 'c', 'e', '*', '\\*', 'é', '😀', ' ');

/** A pattern made from `text`: some characters turned into wildcards or dropped, stars around it. */
export function likeOf(text: string) {
  return fc
    .tuple(
      fc.infiniteStream(fc.constantFrom('keep', 'keep', 'keep', 'star', 'drop')),
      fc.boolean(),
      fc.boolean(),
    )
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
export const likePattern = fc.oneof(
  fc.array(likePiece, { maxLength: 6 }).map((pieces) => `"${pieces.join('')}"`),
  fc.constantFrom(...strings).chain(likeOf),
);
