import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bySpecificity, compileActionPattern } from './action-pattern.js';

describe('action patterns', () => {
  it.each([
    ['approve_refund*', 'approve_refund', true],
    ['approve_refund*', 'approve_refund_large', true],
    ['approve_refund*', 'approve_refun', false],
    ['approve_refund*', 'xapprove_refund', false],
    ['read_?', 'read_a', true],
    ['read_?', 'read_', false],
    ['read_?', 'read_ab', false],
    ['*_invoice', 'read_invoice', true],
    ['*_invoice', 'read_invoices', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['delete', 'delete', true],
    ['delete', 'Delete', false],
    ['a.b', 'aXb', false],
    ['(x)+', '(x)+', true],
    ['*', '', true],
  ])('%s against %s: %s', (pattern, action, expected) => {
    expect(compileActionPattern(pattern).matches(action)).toBe(expected);
  });

  it('agrees with a regular-expression oracle on random patterns and names', () => {
    const alphabet = fc.constantFrom('a', 'b', '_', '*', '?');
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '_'), maxLength: 10 }),
        (pattern, action) => {
          const source = pattern.replace(/\*/g, '.*').replace(/\?/g, '.');
          expect(compileActionPattern(pattern).matches(action)).toBe(
            new RegExp(`^${source}$`, 's').test(action),
          );
        },
      ),
    );
  });

  it('matches many stars against a long name that fails at the end without backtracking blow-up', () => {
    // A backtracking regular expression takes minutes on this; the two-cursor matcher answers at once.
    const pattern = compileActionPattern('*a*a*a*a*a*a*a*b');
    expect(pattern.matches('a'.repeat(1_024))).toBe(false);
  });

  it('orders exact names first, then more literal characters, keeping the written order on ties', () => {
    const patterns = ['*', 'read_*', 'read_invoice*', 'read_invoice', 'read_?nvoice*', 'x*'].map(
      compileActionPattern,
    );
    const ordered = [...patterns].sort(bySpecificity).map((pattern) => pattern.pattern);
    expect(ordered).toEqual(['read_invoice', 'read_invoice*', 'read_?nvoice*', 'read_*', 'x*', '*']);
  });
});
