import { describe, expect, it } from 'vitest';
import { costOf, createPriceBook, estimateCostUpperBound } from './price-book.js';
import { createCostCalculator } from './cost-calculator.js';
import { pricesAsOf, priceTable } from './price-table.js';

const openai = { name: 'openai', type: 'openai' };
const anthropic = { name: 'anthropic', type: 'anthropic' };

describe('price lookup', () => {
  const book = createPriceBook();

  it('finds a model by its exact name, case-insensitively', () => {
    expect(book.priceOf(openai, 'gpt-4o')).toMatchObject({
      input: 2.5,
      output: 10,
      cachedInput: 1.25,
      source: 'table',
    });
    expect(book.priceOf(openai, 'GPT-4o-Mini')).toMatchObject({
      input: 0.15,
      output: 0.6,
      matched: 'gpt-4o-mini',
    });
  });

  it('finds a dated snapshot or alias by the longest known prefix', () => {
    expect(book.priceOf(openai, 'gpt-4o-2024-08-06')?.matched).toBe('gpt-4o');
    expect(book.priceOf(openai, 'gpt-4o-mini-2024-07-18')?.matched).toBe('gpt-4o-mini');
    expect(book.priceOf(openai, 'gpt-4.1-nano-2025-04-14')?.matched).toBe('gpt-4.1-nano');
    expect(book.priceOf(anthropic, 'claude-sonnet-4-5-20250929')?.matched).toBe('claude-sonnet-4-5');
    expect(book.priceOf(anthropic, 'claude-3-5-haiku-latest')?.matched).toBe('claude-3-5-haiku');
    expect(book.priceOf(anthropic, 'claude-opus-4-1-20250805')).toMatchObject({ input: 15, output: 75 });
  });

  it('keeps a snapshot priced differently from its family apart', () => {
    expect(book.priceOf(openai, 'gpt-4o-2024-05-13')).toMatchObject({ input: 5, output: 15 });
  });

  it('matches prefixes only at a boundary, so a different family is not mistaken for an older one', () => {
    expect(book.priceOf(openai, 'gpt-4.7-preview')).toBeUndefined();
    expect(book.priceOf(openai, 'o3x')).toBeUndefined();
  });

  it('prices Azure deployments of OpenAI models like OpenAI', () => {
    expect(book.priceOf({ name: 'azure-eu', type: 'azure' }, 'gpt-4.1')).toEqual(
      book.priceOf(openai, 'gpt-4.1'),
    );
  });

  it('finds a model named through an aggregator by its last segment', () => {
    expect(book.priceOf('openrouter', 'openai/gpt-4o-mini')?.matched).toBe('gpt-4o-mini');
  });

  it('returns undefined for an unknown model', () => {
    expect(book.priceOf(openai, 'my-fine-tune')).toBeUndefined();
    expect(book.priceOf(undefined, 'llama-3-70b')).toBeUndefined();
  });

  it('prices the mock provider and mock models at zero', () => {
    expect(book.priceOf({ name: 'mock', type: 'mock' }, 'gpt-4o')).toMatchObject({
      input: 0,
      output: 0,
      source: 'free',
    });
    expect(book.priceOf('mock', 'mock')).toMatchObject({ input: 0, source: 'free' });
    expect(book.priceOf(undefined, 'mock-fast')).toMatchObject({ output: 0, source: 'free' });
  });

  it('models Anthropic cache reads at 0.1× and cache writes at 1.25× input', () => {
    expect(book.priceOf(anthropic, 'claude-sonnet-4-5')).toMatchObject({
      input: 3,
      cachedInput: 0.3,
      cacheWrite: 3.75,
    });
    expect(book.priceOf(openai, 'gpt-4.1')).toMatchObject({ cacheWrite: 2 });
  });

  it('ships a dated table whose every entry is a sane price', () => {
    expect(pricesAsOf).toMatch(/^2026-\d\d-\d\d$/);
    for (const [model, price] of Object.entries(priceTable)) {
      expect(model).toBe(model.toLowerCase());
      expect(price.cachedInput).toBeLessThanOrEqual(price.input);
      expect(price.input).toBeGreaterThan(0);
    }
  });
});

describe('price overrides', () => {
  it('win over the table, by provider and model, by provider type, or by model', () => {
    const book = createPriceBook({
      'azure-eu/gpt-4o': { input: 3, output: 12 },
      'azure/gpt-4o': { input: 2.75, output: 11 },
      'gpt-4o': { input: 2, output: 8, cached_input: 0.5 },
    });
    expect(book.priceOf({ name: 'azure-eu', type: 'azure' }, 'gpt-4o')).toMatchObject({
      input: 3,
      output: 12,
      cachedInput: 3,
      source: 'override',
      matched: 'azure-eu/gpt-4o',
    });
    expect(book.priceOf({ name: 'azure-us', type: 'azure' }, 'gpt-4o')?.matched).toBe('azure/gpt-4o');
    expect(book.priceOf(openai, 'gpt-4o')).toMatchObject({ input: 2, cachedInput: 0.5, matched: 'gpt-4o' });
    expect(book.priceOf(openai, 'gpt-4o-2024-11-20')?.matched).toBe('gpt-4o');
  });

  it('do not shadow a more specific table entry with a shorter prefix', () => {
    const book = createPriceBook({ 'gpt-4o': { input: 2, output: 8 } });
    expect(book.priceOf(openai, 'gpt-4o-mini')).toMatchObject({ input: 0.15, source: 'table' });
  });

  it('price models the table does not know, and keep the table cache-write ratio for known ones', () => {
    const book = createPriceBook({
      'My-Fine-Tune': { input: 1, output: 2 },
      'claude-sonnet-4-5': { input: 4, output: 20 },
    });
    expect(book.priceOf(openai, 'my-fine-tune')).toMatchObject({ input: 1, output: 2, cacheWrite: 1 });
    expect(book.priceOf(anthropic, 'claude-sonnet-4-5')?.cacheWrite).toBeCloseTo(5);
  });

  it('can price the mock provider for load tests', () => {
    const book = createPriceBook({ 'mock/mock': { input: 1, output: 1 } });
    expect(book.priceOf({ name: 'mock', type: 'mock' }, 'mock')).toMatchObject({
      input: 1,
      source: 'override',
    });
  });
});

describe('cost', () => {
  const book = createPriceBook();

  it('prices input, output and cached input at their rates (cached tokens are part of input)', () => {
    const price = book.priceOf(openai, 'gpt-4o')!;
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 100_000,
      cachedInputTokens: 400_000,
      cacheCreationInputTokens: 0,
    };
    // 600k × $2.50 + 400k × $1.25 + 100k × $10 per 1M.
    expect(costOf(usage, price)).toBeCloseTo(1.5 + 0.5 + 1, 10);
  });

  it('prices Anthropic cache writes at the cache-write rate', () => {
    const price = book.priceOf(anthropic, 'claude-sonnet-4-5')!;
    const usage = {
      inputTokens: 10_000,
      outputTokens: 0,
      cachedInputTokens: 2_000,
      cacheCreationInputTokens: 5_000,
    };
    expect(costOf(usage, price)).toBeCloseTo((3_000 * 3 + 2_000 * 0.3 + 5_000 * 3.75) / 1e6, 12);
  });

  it('never goes negative on inconsistent usage', () => {
    const price = book.priceOf(openai, 'gpt-4o')!;
    expect(
      costOf({ inputTokens: 10, outputTokens: 0, cachedInputTokens: 50, cacheCreationInputTokens: 0 }, price),
    ).toBeCloseTo((50 * 1.25) / 1e6);
  });

  it('bounds a request from above with the dearest input rate and the largest answer', () => {
    const price = book.priceOf(anthropic, 'claude-sonnet-4-5')!;
    expect(estimateCostUpperBound(price, 1_000, 4_096)).toBeCloseTo((1_000 * 3.75 + 4_096 * 15) / 1e6, 12);
    const mini = book.priceOf(openai, 'gpt-4o-mini')!;
    expect(estimateCostUpperBound(mini, 1_000_000, 0)).toBeCloseTo(0.15);
  });
});

describe('cost calculator', () => {
  it('costs priced models and records unpriced ones at 0 with one warning per model', () => {
    const warnings: unknown[] = [];
    const calculator = createCostCalculator(createPriceBook(), { warn: (details) => warnings.push(details) });
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 0,
      cachedInputTokens: 0,
      cacheCreationInputTokens: 0,
    };
    expect(calculator.costOf(openai, 'gpt-4o', usage)).toBeCloseTo(2.5);
    expect(calculator.costOf(openai, 'my-fine-tune', usage)).toBe(0);
    expect(calculator.costOf(openai, 'my-fine-tune', usage)).toBe(0);
    expect(calculator.upperBound(openai, 'my-fine-tune', 10, 10)).toBe(0);
    expect(warnings).toEqual([{ provider: 'openai', model: 'my-fine-tune' }]);
    expect(calculator.upperBound(anthropic, 'claude-haiku-4-5', 1_000_000, 1_000_000)).toBeCloseTo(1.25 + 5);
  });
});
