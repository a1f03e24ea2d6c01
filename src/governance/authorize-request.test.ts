import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors/index.js';
import {
  authorizeRequestLimits,
  validateAuthorizeRequest,
  type AuthorizeRequest,
} from './authorize-request.js';

function accepted(body: unknown, options = {}): AuthorizeRequest {
  const result = validateAuthorizeRequest(body, options);
  if (!result.ok) throw new Error(`expected acceptance, got: ${result.error.message}`);
  return result.request;
}

function refused(body: unknown): GatewayError {
  const result = validateAuthorizeRequest(body);
  if (result.ok) throw new Error(`expected a refusal of ${JSON.stringify(body)}`);
  return result.error;
}

const minimal = { actor: 'invoice-bot', action: 'approve_refund' };

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let level = 0; level < depth; level += 1) value = { inner: value };
  return value;
}

describe('a well-formed authorize request', () => {
  it('is converted to camelCase with every field', () => {
    const request = accepted({
      tenant_id: 'acme',
      actor: 'invoice-bot',
      action: 'approve_refund',
      resource: { invoice: 'inv-1', amount: '120' },
      confidence: 0.8,
      confidence_signal: { provider: 'openai', token_logprobs: [-0.1, -0.2] },
      acting_for: 'user-7',
      scope: 'refunds:write',
      args: { note: 'customer asked', items: [1, 2, { sku: 'a' }] },
      unknown_field: 'ignored, as Lelu does',
    });
    expect(request).toEqual({
      tenantId: 'acme',
      actor: 'invoice-bot',
      action: 'approve_refund',
      resource: { invoice: 'inv-1', amount: '120' },
      confidence: 0.8,
      confidenceSignal: {
        provider: 'openai',
        tokenLogprobs: [-0.1, -0.2],
        tokenProbabilities: undefined,
        entropy: undefined,
        entropyMax: undefined,
      },
      actingFor: 'user-7',
      scope: 'refunds:write',
      args: { note: 'customer asked', items: [1, 2, { sku: 'a' }] },
    });
  });

  it('needs only actor and action; the tenant defaults to "default" as in Lelu', () => {
    expect(accepted(minimal)).toEqual({
      tenantId: 'default',
      ...minimal,
      resource: {},
      confidence: undefined,
      confidenceSignal: undefined,
      actingFor: undefined,
      scope: undefined,
      args: undefined,
    });
  });

  it('reads null and "" optional fields as absent, as Go clients send them', () => {
    const request = accepted({
      ...minimal,
      tenant_id: '',
      acting_for: '',
      scope: null,
      resource: null,
      confidence: null,
    });
    expect(request.tenantId).toBe('default');
    expect(request.actingFor).toBeUndefined();
    expect(request.scope).toBeUndefined();
    expect(request.confidence).toBeUndefined();
  });

  it("fills a missing actor from the key's agent", () => {
    expect(accepted({ action: 'read' }, { actorFallback: 'bound-bot' }).actor).toBe('bound-bot');
    expect(accepted({ actor: 'other', action: 'read' }, { actorFallback: 'bound-bot' }).actor).toBe('other');
  });

  it('keeps a __proto__ resource key as a plain entry', () => {
    const body: unknown = JSON.parse('{"actor":"a","action":"b","resource":{"__proto__":"x"}}');
    const request = accepted(body);
    expect(Object.keys(request.resource)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(request.resource)).toBe(Object.prototype);
  });

  it.each([
    [{ provider: 'anthropic', token_logprobs: [0, -5] }],
    [{ provider: 'bedrock', token_probabilities: [0, 1] }],
    [{ provider: 'local', token_probabilities: [0.5] }],
    [{ provider: 'local', entropy: 0.2 }],
    [{ provider: 'local', entropy: 3, entropy_max: 3 }],
  ])('accepts the signal %j', (signal) => {
    expect(accepted({ ...minimal, confidence_signal: signal }).confidenceSignal?.provider).toBe(
      signal.provider,
    );
  });

  it('accepts args at the depth bound and refuses one level deeper', () => {
    expect(accepted({ ...minimal, args: nested(authorizeRequestLimits.args.maxDepth) }).args).toBeDefined();
    expect(refused({ ...minimal, args: nested(authorizeRequestLimits.args.maxDepth + 1) }).message).toMatch(
      /nests deeper than 32 levels/,
    );
  });
});

describe('a malformed authorize request is a 400 naming the field', () => {
  it.each([
    [null, undefined, /the body must be a JSON object, got null/],
    [[minimal], undefined, /got a list/],
    ['text', undefined, /got a string/],
    [{ action: 'x' }, 'actor', /actor is required/],
    [{ actor: '', action: 'x' }, 'actor', /actor is required/],
    [{ actor: 7, action: 'x' }, 'actor', /actor must be a string, got the number 7/],
    [{ actor: 'a' }, 'action', /action is required/],
    [{ ...minimal, tenant_id: 3 }, 'tenant_id', /tenant_id must be a string/],
    [{ ...minimal, actor: 'a'.repeat(1_025) }, 'actor', /longer than 1024 characters/],
    [{ ...minimal, resource: ['a'] }, 'resource', /resource must be an object of strings, got a list/],
    [
      { ...minimal, resource: { amount: 120 } },
      'resource.amount',
      /resource.amount must be a string, got the number 120/,
    ],
    [{ ...minimal, resource: { 'a b': true } }, 'resource["a b"]', /must be a string/],
    [{ ...minimal, confidence: '0.9' }, 'confidence', /confidence must be a finite number, got a string/],
    [{ ...minimal, confidence: 1.01 }, 'confidence', /confidence must be in \[0, 1\], got 1.01/],
    [{ ...minimal, confidence: -0.01 }, 'confidence', /must be in \[0, 1\]/],
    [{ ...minimal, confidence: Number.NaN }, 'confidence', /finite number, got the number NaN/],
    [{ ...minimal, confidence: Number.POSITIVE_INFINITY }, 'confidence', /finite number/],
    [{ ...minimal, confidence_signal: 'openai' }, 'confidence_signal', /must be an object/],
    [
      { ...minimal, confidence_signal: { provider: 'gemini' } },
      'confidence_signal.provider',
      /one of openai, anthropic, bedrock, local/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'openai' } },
      'confidence_signal',
      /from provider openai needs token_logprobs/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'bedrock', token_logprobs: [-1] } },
      'confidence_signal',
      /needs token_probabilities/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'local' } },
      'confidence_signal',
      /needs token_probabilities or entropy/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'openai', token_logprobs: [] } },
      'confidence_signal.token_logprobs',
      /must not be empty/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'openai', token_logprobs: [-0.1, 0.2] } },
      'confidence_signal.token_logprobs[1]',
      /must be <= 0/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'openai', token_logprobs: [-0.1, '-1'] } },
      'confidence_signal.token_logprobs[1]',
      /finite number, got a string/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'openai', token_logprobs: -1 } },
      'confidence_signal.token_logprobs',
      /must be a list of numbers/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'bedrock', token_probabilities: [0.5, 1.5] } },
      'confidence_signal.token_probabilities[1]',
      /must be in \[0, 1\]/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'local', entropy: 2, entropy_max: 1 } },
      'confidence_signal.entropy',
      /must be in \[0, entropy_max\]/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'local', entropy: 1.5 } },
      'confidence_signal.entropy',
      /entropy_max 1, the default/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'local', entropy: -0.1 } },
      'confidence_signal.entropy',
      /must be in \[0, entropy_max\]/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'local', entropy: 0.1, entropy_max: 0 } },
      'confidence_signal.entropy_max',
      /must be > 0/,
    ],
    [
      { ...minimal, confidence_signal: { provider: 'local', entropy_max: 2, token_probabilities: [1] } },
      'confidence_signal.entropy_max',
      /needs confidence_signal.entropy/,
    ],
    [{ ...minimal, acting_for: ['u'] }, 'acting_for', /acting_for must be a string/],
    [{ ...minimal, scope: {} }, 'scope', /scope must be a string/],
    [{ ...minimal, args: { amount: Number.NaN } }, 'args.amount', /args.amount is not a finite number/],
    [{ ...minimal, args: [1, [2, Number.NEGATIVE_INFINITY]] }, 'args[1][1]', /not a finite number/],
    [{ ...minimal, args: { when: new Date(0) } }, 'args.when', /not a JSON value/],
    [{ ...minimal, args: { hook: () => 1 } }, 'args.hook', /not a JSON value \(function\)/],
  ])('%j → %s', (body, param, message) => {
    const error = refused(body);
    expect(error.code).toBe('invalid_request');
    expect(error.status).toBe(400);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(message);
  });

  it.each([
    ['actor', { ...minimal, actor: 'bot\ud800' }, 'actor'],
    ['action', { ...minimal, action: '\udfffread' }, 'action'],
    ['tenant_id', { ...minimal, tenant_id: 'acme\ud83d' }, 'tenant_id'],
    ['a resource value', { ...minimal, resource: { id: 'x\udc00' } }, 'resource.id'],
    ['a resource key', { ...minimal, resource: { ['\ud800']: 'x' } }, 'resource'],
    ['an args string', { ...minimal, args: { memo: 'a\ud800b' } }, 'args.memo'],
    ['an args key', { ...minimal, args: { nested: { ['\udbff']: 1 } } }, 'args.nested'],
  ])('refuses half a UTF-16 surrogate pair in %s', (_name, body, param) => {
    const error = refused(body);
    expect(error.param).toBe(param);
    expect(error.message).toMatch(/unpaired UTF-16 surrogate/);
  });

  it('keeps whole surrogate pairs (emoji) everywhere', () => {
    expect(validateAuthorizeRequest({ ...minimal, actor: 'bot-😀', args: { '😀': '😀' } }).ok).toBe(true);
  });

  it('refuses a bigint in args (not JSON; from a caller that did not parse JSON)', () => {
    expect(refused({ ...minimal, args: { big: 1n } }).message).toMatch(
      /args.big is not a JSON value \(bigint\)/,
    );
  });

  it('refuses huge args by value count, before expanding them', () => {
    const error = refused({ ...minimal, args: new Array(1_000_000).fill(0) });
    expect(error.message).toBe('args has more than 10000 values');
    expect(error.param).toBe('args');
  });

  it('refuses args holding more than 256 KiB of text, keys included', () => {
    expect(refused({ ...minimal, args: { note: 'x'.repeat(256 * 1024 + 1) } }).message).toMatch(
      /more than 262144 bytes of text/,
    );
    expect(refused({ ...minimal, args: { ['k'.repeat(256 * 1024)]: 'v' } }).message).toMatch(/bytes of text/);
    // Multi-byte text counts in UTF-8 bytes: 100,000 three-byte characters are 300,000 bytes.
    expect(refused({ ...minimal, args: '€'.repeat(100_000) }).message).toMatch(/bytes of text/);
  });

  it('refuses a sparse list, whose hole is not JSON', () => {
    // eslint-disable-next-line no-sparse-arrays
    expect(refused({ ...minimal, args: [1, , 3] }).param).toBe('args[1]');
  });

  it('refuses a resource with too many entries and signals with too many tokens', () => {
    const resource = Object.fromEntries(Array.from({ length: 257 }, (_, index) => [`k${index}`, 'v']));
    expect(refused({ ...minimal, resource }).message).toMatch(/more than 256 entries/);
    const token_logprobs = new Array(100_001).fill(-0.1);
    expect(
      refused({ ...minimal, confidence_signal: { provider: 'openai', token_logprobs } }).message,
    ).toMatch(/more than 100000 tokens/);
  });

  it('does not overflow the stack on args nested a million levels deep', () => {
    expect(refused({ ...minimal, args: nested(1_000_000) }).param).toMatch(/^args(\.inner){32}$/);
  });
});

/** An independent oracle (recursive: the generated values are shallow). */
function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (Array.isArray(value)) return Array.from(value, (member: unknown) => isJsonValue(member)).every(Boolean);
  if (typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  return Object.values(value).every(isJsonValue);
}

/** Arbitrary well-formed bodies, with every optional field sometimes absent. */
const wellFormedBody = fc.record(
  {
    tenant_id: fc.string({ minLength: 1, maxLength: 20 }),
    actor: fc.string({ minLength: 1, maxLength: 20 }),
    action: fc.string({ minLength: 1, maxLength: 20 }),
    resource: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 5 }),
    confidence: fc.double({ min: 0, max: 1, noNaN: true }),
    confidence_signal: fc.oneof(
      fc.record({
        provider: fc.constantFrom('openai', 'anthropic'),
        token_logprobs: fc.array(fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }), {
          minLength: 1,
          maxLength: 5,
        }),
      }),
      fc.record({
        provider: fc.constantFrom('bedrock', 'local'),
        token_probabilities: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), {
          minLength: 1,
          maxLength: 5,
        }),
      }),
      fc
        .tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.001, max: 10, noNaN: true }))
        .map(([fraction, entropyMax]) => ({
          provider: 'local',
          entropy: fraction * entropyMax,
          entropy_max: entropyMax,
        })),
    ),
    acting_for: fc.string({ minLength: 1, maxLength: 20 }),
    scope: fc.string({ minLength: 1, maxLength: 20 }),
    args: fc.jsonValue({ maxDepth: 5 }),
  },
  { requiredKeys: ['actor', 'action'] },
);

describe('the validator, over arbitrary input', () => {
  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBoxedValues: true,
          withMap: true,
          withSet: true,
          withNullPrototype: true,
          withSparseArray: true,
        }),
        (body) => {
          validateAuthorizeRequest(body);
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('never throws on bodies whose fields have arbitrary values', () => {
    const fields = [
      'tenant_id',
      'actor',
      'action',
      'resource',
      'confidence',
      'confidence_signal',
      'acting_for',
      'scope',
      'args',
    ];
    const body = fc.dictionary(fc.constantFrom(...fields), fc.anything({ withSparseArray: true }));
    fc.assert(
      fc.property(body, (value) => void validateAuthorizeRequest(value)),
      { numRuns: 2_000 },
    );
  });

  it('accepts every well-formed body, unchanged in meaning', () => {
    fc.assert(
      fc.property(wellFormedBody, (body) => {
        const request = accepted(body);
        expect(request.actor).toBe(body.actor);
        expect(request.action).toBe(body.action);
        expect(request.confidence).toBe(body.confidence);
        expect(request.confidenceSignal?.provider).toBe(body.confidence_signal?.provider);
        expect(request.args).toEqual(body.args);
      }),
      { numRuns: 500 },
    );
  });

  it('only accepts what the contract allows', () => {
    const anyBody = fc.oneof(
      wellFormedBody,
      fc.dictionary(
        fc.constantFrom('actor', 'action', 'confidence', 'confidence_signal', 'resource', 'args'),
        fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.double()),
      ),
    );
    fc.assert(
      fc.property(anyBody, (body) => {
        const result = validateAuthorizeRequest(body);
        if (!result.ok) {
          expect(result.error.status).toBe(400);
          return;
        }
        const { request } = result;
        expect(typeof request.actor === 'string' && request.actor.length > 0).toBe(true);
        expect(typeof request.action === 'string' && request.action.length > 0).toBe(true);
        if (request.confidence !== undefined)
          expect(request.confidence >= 0 && request.confidence <= 1).toBe(true);
        for (const value of Object.values(request.resource)) expect(typeof value).toBe('string');
        const signal = request.confidenceSignal;
        for (const logprob of signal?.tokenLogprobs ?? [])
          expect(logprob <= 0 && Number.isFinite(logprob)).toBe(true);
        for (const probability of signal?.tokenProbabilities ?? [])
          expect(probability >= 0 && probability <= 1).toBe(true);
        if (signal?.entropy !== undefined) expect(signal.entropy <= (signal.entropyMax ?? 1)).toBe(true);
        expect(request.args === undefined || isJsonValue(request.args)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});
