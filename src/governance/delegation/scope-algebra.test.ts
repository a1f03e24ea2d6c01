import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileActionPattern } from '../action-pattern.js';
import { compileScopes, patternCovers, uncoveredScopes } from './scope-algebra.js';

describe('a grant’s scopes', () => {
  it('match actions exactly or by the action catalog’s glob, case-sensitively', () => {
    const scopes = compileScopes(['read_*', 'send_email', 'refund_?']);
    expect(scopes.coveringScope('read_invoice')).toBe('read_*');
    expect(scopes.coveringScope('send_email')).toBe('send_email');
    expect(scopes.coveringScope('refund_5')).toBe('refund_?');
    expect(scopes.coveringScope('refund_50')).toBeUndefined();
    expect(scopes.coveringScope('Read_invoice')).toBeUndefined();
    expect(scopes.coveringScope('send_emails')).toBeUndefined();
  });
});

describe('one scope covering another (attenuation)', () => {
  it.each([
    ['read_invoice', 'read_invoice', true],
    ['read_*', 'read_invoice', true],
    ['read_*', 'read_*', true],
    ['read_*', 'read_inv*', true],
    ['*', 'anything*', true],
    ['read_?', 'read_?', true],
    ['read_*', 'read_?', true],
    ['*_invoice', 'read_*_invoice', true],
    ['read_invoice', 'read_*', false],
    ['read_*', 're*', false],
    ['read_?', 'read_*', false],
    ['read_?', 'read_ab', false],
    ['read_x', 'read_?', false],
    ['a*b', 'a*', false],
    ['read_invoice', 'read_invoicE', false],
  ])('%s covers %s: %s', (parent, child, expected) => {
    expect(patternCovers(parent, child)).toBe(expected);
  });

  it('names every child scope no parent scope covers, in order', () => {
    expect(uncoveredScopes(['read_*', 'search'], ['read_a', 'approve', 'search', 'delete*'])).toEqual([
      'approve',
      'delete*',
    ]);
  });

  // Soundness: whenever a parent covers a child, every action the child matches, the parent matches.
  it('never says yes wrongly: every expansion of a covered child matches the parent', () => {
    const alphabet = fc.constantFrom('a', 'b', '_', '*', '?');
    const pattern = fc.array(alphabet, { maxLength: 6 }).map((characters) => characters.join(''));
    const filler = fc.array(fc.constantFrom('a', 'b', '_', '*', '?', 'c'), { maxLength: 3 });
    fc.assert(
      fc.property(
        pattern,
        pattern,
        fc.array(filler, { minLength: 6, maxLength: 6 }),
        (parent, child, fills) => {
          if (!patternCovers(parent, child)) return;
          // An action the child matches: each `*` replaced by some run, each `?` by one character.
          let index = 0;
          const action = child
            .split('')
            .map((character) => {
              const fill = fills[index++ % fills.length] ?? [];
              if (character === '*') return fill.join('');
              if (character === '?') return fill[0] ?? 'z';
              return character;
            })
            .join('');
          expect(compileActionPattern(parent).matches(action)).toBe(true);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
