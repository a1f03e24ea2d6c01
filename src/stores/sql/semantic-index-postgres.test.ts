import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unitVector, type SemanticEntry } from '../../caching/index.js';
import { embedText } from '../../providers/mock/index.js';
import { createPostgresSemanticIndex, type PostgresSemanticIndex } from './semantic-index-postgres.js';

// Real Postgres, never skipped: an unreachable server fails these tests loudly.
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const schema = `gh_test_semantic_${randomBytes(4).toString('hex')}`;
const pools: pg.Pool[] = [];
let time = 1_700_000_000_000;
const now = () => time;

function pool(): pg.Pool {
  const created = new pg.Pool({ connectionString: databaseUrl, max: 2, connectionTimeoutMillis: 5_000 });
  pools.push(created);
  return created;
}

/** One replica's view of the shared index. */
function replica(): PostgresSemanticIndex {
  return createPostgresSemanticIndex({ pool: pool(), schema, now });
}

beforeAll(async () => {
  const admin = pool();
  try {
    await admin.query(`create schema "${schema}"`);
  } catch (error) {
    throw new Error(`Postgres is unreachable at ${databaseUrl}: these tests need it (set DATABASE_URL).`, {
      cause: error,
    });
  }
  await replica().ensureSchema();
});

afterAll(async () => {
  await pools[0]?.query(`drop schema if exists "${schema}" cascade`);
  await Promise.all(pools.map((created) => created.end()));
});

function entry(text: string, overrides: Partial<SemanticEntry> = {}): SemanticEntry {
  return {
    scope: 'team:a',
    model: 'gpt',
    partition: 'p',
    entryHash: text,
    vector: unitVector(embedText(text, 256))!,
    expiresAt: time + 3_600_000,
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

describe('Postgres semantic index without pgvector', () => {
  it('searches with real[] arrays here, since this server has no vector extension', async () => {
    expect(await replica().vectorSearch()).toBe('array');
  });

  it('is shared by two replicas: one adds, the other finds it above the threshold only', async () => {
    const a = replica();
    const b = replica();
    await a.add(entry('What is the capital of France?', { scope: 'team:shared' }), 100);
    await a.add(entry('How do I bake sourdough bread?', { scope: 'team:shared' }), 100);
    const match = await b.nearest(
      query('What is the capital city of France?', 0.85, { scope: 'team:shared' }),
    );
    expect(match?.entryHash).toBe('What is the capital of France?');
    expect(match?.similarity).toBeGreaterThan(0.85);
    expect(match?.similarity).toBeLessThan(1);
    expect(
      await b.nearest(query('What is the capital of Germany?', 0.85, { scope: 'team:shared' })),
    ).toBeUndefined();
  });

  it('computes the same similarity as the process does', async () => {
    const index = replica();
    const stored = entry('The quick brown fox', { scope: 'team:similarity' });
    await index.add(stored, 10);
    const probe = query('The quick brown dog', 0, { scope: 'team:similarity' });
    let expected = 0;
    for (let position = 0; position < probe.vector.length; position++) {
      expected += stored.vector[position]! * probe.vector[position]!;
    }
    expect((await index.nearest(probe))?.similarity).toBeCloseTo(expected, 5);
  });

  it('searches only within the same scope, model, partition and dimension count', async () => {
    const index = replica();
    const text = 'Where is the Eiffel tower?';
    await index.add(entry(text, { scope: 'team:iso' }), 10);
    expect(await index.nearest(query(text, 0.5, { scope: 'team:other' }))).toBeUndefined();
    expect(await index.nearest(query(text, 0.5, { scope: 'team:iso', model: 'claude' }))).toBeUndefined();
    expect(await index.nearest(query(text, 0.5, { scope: 'team:iso', partition: 'q' }))).toBeUndefined();
    const shorter = { ...query(text, 0.5, { scope: 'team:iso' }), vector: unitVector(embedText(text, 64))! };
    expect(await index.nearest(shorter)).toBeUndefined();
    expect(await index.nearest(query(text, 0.5, { scope: 'team:iso' }))).toBeDefined();
  });

  it('keeps at most max entries per scope and model, dropping the least recently used', async () => {
    const a = replica();
    const b = replica();
    const scope = { scope: 'team:bounded' };
    await a.add(entry('first question about apples', scope), 2);
    time += 1_000;
    await b.add(entry('second question about pears', scope), 2);
    time += 1_000;
    expect(await a.nearest(query('first question about apples', 0.99, scope))).toBeDefined();
    time += 1_000;
    await b.add(entry('third question about plums', scope), 2);
    expect(await a.nearest(query('second question about pears', 0.99, scope))).toBeUndefined();
    expect(await a.nearest(query('first question about apples', 0.99, scope))).toBeDefined();
    expect(await a.nearest(query('third question about plums', 0.99, scope))).toBeDefined();
  });

  it('skips expired entries, removes and purges', async () => {
    const index = replica();
    await index.add(entry('expiring', { scope: 'team:exp', expiresAt: time + 1_000 }), 10);
    await index.add(entry('staying', { scope: 'team:exp', model: 'claude' }), 10);
    await index.add(entry('elsewhere', { scope: 'team:exp2' }), 10);
    expect(await index.nearest(query('expiring', 0.99, { scope: 'team:exp' }))).toBeDefined();
    time += 1_000;
    expect(await index.nearest(query('expiring', 0.99, { scope: 'team:exp' }))).toBeUndefined();
    await index.remove('team:exp', 'claude', 'staying');
    expect(
      await index.nearest(query('staying', 0.99, { scope: 'team:exp', model: 'claude' })),
    ).toBeUndefined();
    expect(await index.purge({ scope: 'team:exp2' })).toBe(1);
    const before = await index.count();
    await index.add(entry('one more', { scope: 'team:exp3' }), 10);
    expect(await index.count()).toBe(before + 1);
    expect(await index.purge({ model: 'gpt' })).toBeGreaterThan(0);
    expect(await index.purge({})).toBeGreaterThanOrEqual(0);
    expect(await index.count()).toBe(0);
  });
});
