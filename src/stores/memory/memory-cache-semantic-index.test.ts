import { describe, expect, it } from 'vitest';
import { unitVector, type SemanticEntry } from '../../caching/index.js';
import { embedText } from '../../providers/mock/index.js';
import { createMemorySemanticIndex } from './memory-cache-semantic-index.js';

function entry(text: string, overrides: Partial<SemanticEntry> = {}): SemanticEntry {
  return {
    scope: 'team:a',
    model: 'gpt',
    partition: 'p',
    entryHash: text,
    vector: unitVector(embedText(text, 256))!,
    expiresAt: Number.MAX_SAFE_INTEGER,
    ...overrides,
  };
}

function query(text: string, threshold = 0.85, overrides: Record<string, unknown> = {}) {
  return {
    scope: 'team:a',
    model: 'gpt',
    partition: 'p',
    vector: unitVector(embedText(text, 256))!,
    threshold,
    ...overrides,
  };
}

describe('memory semantic index', () => {
  it('finds the most similar prompt at or above the threshold, and nothing below it', async () => {
    const index = createMemorySemanticIndex();
    await index.add(entry('What is the capital of France?'), 100);
    await index.add(entry('How do I bake sourdough bread?'), 100);
    const match = await index.nearest(query('What is the capital city of France?'));
    expect(match?.entryHash).toBe('What is the capital of France?');
    expect(match?.similarity).toBeGreaterThan(0.85);
    expect(await index.nearest(query('What is the capital of Germany?'))).toBeUndefined();
  });

  it('searches only within the same scope, model and partition', async () => {
    const index = createMemorySemanticIndex();
    await index.add(entry('What is the capital of France?'), 100);
    const text = 'What is the capital of France?';
    expect(await index.nearest(query(text, 0.5, { scope: 'team:b' }))).toBeUndefined();
    expect(await index.nearest(query(text, 0.5, { model: 'other' }))).toBeUndefined();
    expect(await index.nearest(query(text, 0.5, { partition: 'q' }))).toBeUndefined();
    expect(await index.nearest(query(text, 0.5))).toBeDefined();
  });

  it('drops the least recently used prompt of a scope and model beyond max entries', async () => {
    const index = createMemorySemanticIndex();
    await index.add(entry('first question about apples'), 2);
    await index.add(entry('second question about pears'), 2);
    // Matching the first makes the second the least recently used.
    expect(await index.nearest(query('first question about apples', 0.99))).toBeDefined();
    await index.add(entry('third question about plums'), 2);
    expect(await index.nearest(query('second question about pears', 0.99))).toBeUndefined();
    expect(await index.nearest(query('first question about apples', 0.99))).toBeDefined();
    expect(await index.count()).toBe(2);
  });

  it('stays within its total bound by evicting from the least recently used scope', async () => {
    const index = createMemorySemanticIndex({ maxTotalEntries: 2 });
    await index.add(entry('alpha', { scope: 'team:old' }), 10);
    await index.add(entry('beta', { scope: 'team:new' }), 10);
    await index.add(entry('gamma', { scope: 'team:new' }), 10);
    expect(await index.count()).toBe(2);
    expect(await index.nearest(query('alpha', 0.99, { scope: 'team:old' }))).toBeUndefined();
  });

  it('skips expired prompts and prompts of another dimension', async () => {
    let time = 1_000;
    const index = createMemorySemanticIndex({ now: () => time });
    await index.add(entry('expiring prompt', { expiresAt: 2_000 }), 10);
    await index.add(entry('short vector', { vector: unitVector([1, 0, 0])! }), 10);
    expect(await index.nearest(query('expiring prompt', 0.99))).toBeDefined();
    time = 2_000;
    expect(await index.nearest(query('expiring prompt', 0.99))).toBeUndefined();
    expect(await index.count()).toBe(1);
  });

  it('purges by scope and by model', async () => {
    const index = createMemorySemanticIndex();
    await index.add(entry('a1'), 10);
    await index.add(entry('a2', { model: 'claude' }), 10);
    await index.add(entry('b1', { scope: 'team:b' }), 10);
    expect(await index.purge({ model: 'claude' })).toBe(1);
    expect(await index.purge({ scope: 'team:a' })).toBe(1);
    expect(await index.purge({})).toBe(1);
    expect(await index.count()).toBe(0);
  });
});
