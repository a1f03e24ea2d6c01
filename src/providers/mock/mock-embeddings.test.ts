import { describe, expect, it } from 'vitest';
import { embedText, embeddingsBody, readEmbeddingsRequest } from './mock-embeddings.js';

function cosine(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
}

describe('mock embeddings', () => {
  it('are deterministic unit vectors', () => {
    const first = embedText('The quick brown fox', 256);
    expect(embedText('The quick brown fox', 256)).toEqual(first);
    expect(cosine(first, first)).toBeCloseTo(1, 5);
    expect(embedText('', 64)[0]).toBe(1);
  });

  it('place similar texts closer than dissimilar ones', () => {
    const base = embedText('How do I reset my password?', 256);
    const similar = embedText('How can I reset my password', 256);
    const different = embedText('Quarterly revenue grew by twelve percent in Europe', 256);
    expect(cosine(base, similar)).toBeGreaterThan(0.7);
    expect(cosine(base, similar)).toBeGreaterThan(cosine(base, different) + 0.3);
  });

  it('read strings, string arrays and token arrays, and check dimensions', () => {
    expect(readEmbeddingsRequest({ input: 'a' })).toMatchObject({
      ok: true,
      view: { texts: ['a'], dimensions: 256 },
    });
    expect(readEmbeddingsRequest({ input: ['a', 'b'], dimensions: 8 })).toMatchObject({
      ok: true,
      view: { texts: ['a', 'b'], dimensions: 8 },
    });
    expect(readEmbeddingsRequest({ input: [1, 2, 3] })).toMatchObject({
      ok: true,
      view: { texts: ['1 2 3'] },
    });
    expect(readEmbeddingsRequest({ input: [[1], [2]] })).toMatchObject({
      ok: true,
      view: { texts: ['1', '2'] },
    });
    expect(readEmbeddingsRequest({ input: [] }).ok).toBe(false);
    expect(readEmbeddingsRequest({ input: 'a', dimensions: 0 }).ok).toBe(false);
    expect(readEmbeddingsRequest({ input: 'a', encoding_format: 'hex' }).ok).toBe(false);
  });

  it('encode base64 as little-endian float32, equal to the float form', () => {
    const view = { texts: ['hello world'], dimensions: 16, encoding: 'base64' as const };
    const body = JSON.parse(Buffer.from(embeddingsBody(view, 'mock-embedding', 3)).toString()) as {
      data: { embedding: string }[];
      usage: { prompt_tokens: number };
    };
    const bytes = Buffer.from(body.data[0]!.embedding, 'base64');
    const decoded = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    expect(Array.from(decoded)).toEqual(Array.from(embedText('hello world', 16)));
    expect(body.usage.prompt_tokens).toBe(3);
  });
});
