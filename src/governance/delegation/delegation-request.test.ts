import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import { validateDelegateRequest, validateMintRequest } from './delegation-request.js';

function problem(validation: { ok: boolean; error?: GatewayError }): {
  param: string | undefined;
  message: string;
} {
  if (validation.ok || validation.error === undefined) throw new Error('expected a 400');
  expect(validation.error.status).toBe(400);
  return { param: validation.error.param, message: validation.error.message };
}

describe('a delegation request', () => {
  it('takes Lelu’s fields, with absent, null and "" optional fields alike', () => {
    const validation = validateDelegateRequest({
      tenant_id: 'acme',
      delegator: 'orchestrator',
      delegatee: 'researcher',
      scoped_to: ['read_*', 'search', 'search'],
      ttl_seconds: 300,
      confidence: 0.92,
      acting_for: '',
      parent_token: null,
      unknown_field: { ignored: true },
    });
    expect(validation).toEqual({
      ok: true,
      request: {
        tenantId: 'acme',
        delegator: 'orchestrator',
        delegatee: 'researcher',
        scopedTo: ['read_*', 'search'],
        ttlSeconds: 300,
        confidence: 0.92,
        actingFor: undefined,
        parentToken: undefined,
      },
    });
    expect(validateDelegateRequest({ delegatee: 'b', scoped_to: 'a,b c' })).toMatchObject({
      ok: true,
      request: { scopedTo: ['a', 'b', 'c'] },
    });
  });

  it.each([
    [[], undefined, 'the body must be a JSON object, got a list'],
    [{}, 'delegatee', 'delegatee is required (a non-empty string)'],
    [{ delegatee: 7 }, 'delegatee', 'delegatee must be a string, got the number 7'],
    [{ delegatee: 'b', scoped_to: [1] }, 'scoped_to', 'scoped_to must hold strings, got the number 1'],
    [{ delegatee: 'b', scoped_to: ['a b'] }, 'scoped_to', 'scoped_to holds "a b", which is not a scope'],
    [
      { delegatee: 'b', scoped_to: { a: 1 } },
      'scoped_to',
      'scoped_to must be a list of scopes, got an object',
    ],
    [
      { delegatee: 'b', ttl_seconds: 0 },
      'ttl_seconds',
      'ttl_seconds must be a whole number of seconds of at least 1',
    ],
    [{ delegatee: 'b', ttl_seconds: 1.5 }, 'ttl_seconds', 'of at least 1'],
    [{ delegatee: 'b', ttl_seconds: '60' }, 'ttl_seconds', 'got a string'],
    [{ delegatee: 'b', confidence: 1.2 }, 'confidence', 'confidence must be in [0, 1]'],
    [{ delegatee: 'b', parent_token: 5 }, 'parent_token', 'parent_token must be a grant token'],
    [{ delegatee: 'b', parent_token: 'x'.repeat(200) }, 'parent_token', 'parent_token must be a grant token'],
    [
      { delegatee: 'b', scoped_to: Array.from({ length: 65 }, (_, i) => `s${i}`) },
      'scoped_to',
      'more than 64',
    ],
    [{ delegatee: 'b'.repeat(1_025) }, 'delegatee', 'longer than 1024'],
  ])('refuses %j, naming %s', (body, param, message) => {
    const refused = problem(validateDelegateRequest(body));
    expect(refused.param).toBe(param);
    expect(refused.message).toContain(message);
  });

  it('refuses half a UTF-16 surrogate pair in a name or a scope, like the authorize route', () => {
    const base = { delegatee: 'reader', scoped_to: ['read_invoice'] };
    expect(problem(validateDelegateRequest({ ...base, delegatee: 'reader\ud800' })).param).toBe('delegatee');
    expect(problem(validateDelegateRequest({ ...base, delegator: '\udc00boss' })).param).toBe('delegator');
    expect(problem(validateDelegateRequest({ ...base, scoped_to: ['read\ud83d'] })).param).toBe('scoped_to');
    expect(validateDelegateRequest({ ...base, scoped_to: ['read_😀'] }).ok).toBe(true);
  });

  it('caps an enormous TTL rather than overflowing', () => {
    expect(validateDelegateRequest({ delegatee: 'b', ttl_seconds: 1e20 })).toMatchObject({
      ok: true,
      request: { ttlSeconds: 31_536_000 },
    });
  });

  it('never throws, whatever JSON arrives', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const delegate = validateDelegateRequest(value);
        const mint = validateMintRequest(value);
        expect(typeof delegate.ok).toBe('boolean');
        expect(typeof mint.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });
});

describe('a mint request', () => {
  it('takes Lelu’s one scope string, several separated by spaces or commas, or a list', () => {
    expect(validateMintRequest({ scope: 'read_invoice' })).toEqual({
      ok: true,
      request: {
        tenantId: 'default',
        scopes: ['read_invoice'],
        actingFor: undefined,
        ttlSeconds: undefined,
        actor: undefined,
      },
    });
    expect(validateMintRequest({ scope: ['a', 'b'], actor: 'bot', ttl_seconds: 60 })).toMatchObject({
      ok: true,
      request: { scopes: ['a', 'b'], actor: 'bot', ttlSeconds: 60 },
    });
  });

  it('needs a scope', () => {
    expect(problem(validateMintRequest({ tenant_id: 'acme' })).param).toBe('scope');
    expect(problem(validateMintRequest({ scope: ' , ' })).param).toBe('scope');
  });
});
