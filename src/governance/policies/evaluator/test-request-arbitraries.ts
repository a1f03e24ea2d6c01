import fc from 'fast-check';
import type { PolicyRequest } from '../../contract.js';
import { argNames } from './test-cedar-literals.js';

/**
 * Random policy requests for the differential test: resource maps with odd keys, `args` of
 * nested JSON with the names the generated policies read (present or absent, of the expected
 * type or not), numbers at a decimal's rounding boundaries, past 2^53 and past a decimal's range,
 * and confidence / risk / time values, for every principal type.
 */

const boundaryNumbers = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  37,
  999,
  1000,
  1024,
  3037000499,
  9007199254740991,
  -9007199254740991,
  9007199254740992,
  1e20,
  -1e20,
  Number('922337203685476.9'),
  922337203685477.5,
  1e15,
  0.5,
  1.00005,
  0.00005,
  -0.00005,
  0.49995,
  0.50005,
  2.5e-5,
  1e-7,
  0.1 + 0.2,
  1.5,
  -2.5,
  0.25,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MIN_VALUE,
  Number('123456789012.34565'),
  Number('99999999999.99995'),
);

const numbers = fc.oneof(fc.integer({ min: -2000, max: 2000 }), boundaryNumbers, fc.double());

const texts = fc.constantFrom(
  'invoice',
  'monthly invoice run',
  '',
  'acme',
  'ünï',
  '😀',
  'a*b',
  'abc',
  '0.5',
  '1.0',
  'x y',
);

const leaves = fc.oneof(numbers, texts, fc.boolean(), fc.constant(null));

const keys = fc.constantFrom(...argNames, '__entity', '__extn', '__proto__', 'amount', 'tags', 'rate');

const json = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    leaves,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(keys, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  ),
})).value;

const unitInterval = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(
    0,
    1,
    0.5,
    0.00005,
    0.99995,
    0.95,
    0.950049999,
    0.9500500001,
    0.98,
    0.5000499999,
    0.95005,
    0.50005,
    0.000049999,
    0.000050001,
    0.94995,
    0.00015,
    0.00025,
    0.50015,
    1.00005,
  ),
);

/** Mostly the shapes policies expect, sometimes anything. */
const args = fc.oneof(
  fc
    .record(
      {
        amount: fc.oneof(fc.integer({ min: -10, max: 1500 }), numbers),
        memo: texts,
        rate: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), boundaryNumbers, unitInterval),
        tags: fc.array(fc.oneof(texts, fc.integer({ min: 0, max: 3 }), fc.constantFrom(0, 1, 'invoice')), {
          maxLength: 3,
        }),
        flag: fc.boolean(),
        nested: fc.oneof(
          fc.record(
            {
              amount: fc.integer({ min: 0, max: 3 }),
              tags: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
            },
            { requiredKeys: [] },
          ),
          // Equal to records the policies write, fields in either order.
          fc.constantFrom({ amount: 1, tags: [0] }, { tags: [0], amount: 1 }, { tags: [0, 0], amount: 1 }),
        ),
        'a b': fc.oneof(texts, fc.integer()),
        count: fc.oneof(fc.constantFrom(3037000499, 9007199254740991, -9007199254740991), fc.integer()),
        __entity: fc.constant({ type: 'Agent', id: 'admin' }),
        __expr: texts,
      },
      { requiredKeys: [] },
    )
    .map((record) => ({ ...record })),
  json,
);

const resources = fc.oneof(
  fc.record({ id: fc.constantFrom('inv_1', 'inv_2'), type: fc.constantFrom('invoice', 'contract') }),
  fc.record(
    { type: fc.constantFrom('invoice', 'contract'), owner: fc.constantFrom('ada', 'bob') },
    { requiredKeys: [] },
  ),
  fc
    .array(
      fc.tuple(fc.constantFrom('id', 'type', 'owner', '__extn', '__entity', '__proto__', 'a b', ''), texts),
      { maxLength: 4 },
    )
    .map((entries) => Object.fromEntries(entries) as Record<string, string>),
);

export const policyRequests: fc.Arbitrary<PolicyRequest> = fc.record({
  tenantId: fc.constantFrom('acme', 'globex'),
  actor: fc.constantFrom('a', 'bench-agent', 'ghost'),
  principalType: fc.constantFrom(undefined, 'Agent', 'User'),
  action: fc.constantFrom('read', 'write', 'delete', 'export'),
  resource: resources,
  context: fc.record({
    confidence: fc.option(unitInterval, { nil: undefined }),
    scope: fc.option(fc.constantFrom('billing', '', 'acme'), { nil: undefined }),
    actingFor: fc.option(fc.constantFrom('ada', 'bob'), { nil: undefined }),
    risk: unitInterval,
    time: fc.oneof(fc.integer({ min: -5, max: 2_000_000_000 }), fc.double({ min: 0, max: 2e9, noNaN: true })),
    args,
  }),
});
