import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern, mayUseModel, modelNotAllowedError } from './model-patterns.js';

describe('model patterns', () => {
  it('an empty list allows every model', () => {
    expect(mayUseModel({ models: [] }, 'gpt-4o')).toBe(true);
  });

  it('matches exact names, prefixes, suffixes, infixes and *', () => {
    const cases: [string, string, boolean][] = [
      ['gpt-4o', 'gpt-4o', true],
      ['gpt-4o', 'gpt-4o-mini', false],
      ['gpt-4o*', 'gpt-4o-mini', true],
      ['gpt-4o*', 'gpt-4o', true],
      ['gpt-4o*', 'gpt-4', false],
      ['mock*', 'mock', true],
      ['mock*', 'my-mock', false],
      ['*', 'anything/at:all', true],
      ['*-mini', 'gpt-4o-mini', true],
      ['*-mini', 'gpt-4o', false],
      ['claude-*-sonnet*', 'claude-3-5-sonnet-latest', true],
      ['claude-*-sonnet*', 'claude-3-5-haiku', false],
      ['a*a', 'a', false],
      ['a*a', 'aa', true],
      ['a**b', 'ab', true],
      ['GPT-4o', 'gpt-4o', false],
    ];
    for (const [pattern, model, expected] of cases)
      expect(matchesPattern(pattern, model), `${pattern} ~ ${model}`).toBe(expected);
  });

  it('allows a model when any pattern matches', () => {
    const principal = { models: ['gpt-4o*', 'mock*'] };
    expect(mayUseModel(principal, 'mock-fast')).toBe(true);
    expect(mayUseModel(principal, 'claude-3-opus')).toBe(false);
  });

  it('agrees with a regular expression on every input (property)', () => {
    const piece = fc.string({ unit: fc.constantFrom('a', 'b', '*', '.', '-'), maxLength: 8 });
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '.', '-'), maxLength: 10 });
    fc.assert(
      fc.property(piece, text, (pattern, model) => {
        const expression = new RegExp(
          `^${pattern
            .split('*')
            .map((part) => part.replace(/[.-]/g, '\\$&'))
            .join('.*')}$`,
          's',
        );
        return matchesPattern(pattern, model) === expression.test(model);
      }),
      { numRuns: 2_000 },
    );
  });

  it('names the model in a 403 model_not_allowed error', () => {
    const error = modelNotAllowedError('gpt-4o');
    expect(error.code).toBe('model_not_allowed');
    expect(error.status).toBe(403);
    expect(error.message).toBe("This key may not use model 'gpt-4o'.");
  });
});
