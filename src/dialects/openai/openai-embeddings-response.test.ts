import { describe, expect, it } from 'vitest';
import { embeddingVectorsOf } from './openai-embeddings-response.js';

const bodyOf = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('embeddingVectorsOf', () => {
  it('returns the vectors in input order, whatever order the answer lists them in', () => {
    const body = bodyOf({
      data: [
        { index: 1, embedding: [0.3, 0.4] },
        { index: 0, embedding: [0.1, 0.2] },
      ],
    });
    expect(embeddingVectorsOf(body)).toEqual([
      [0.1, 0.2],
      [0.3, 0.4],
    ]);
  });

  it('refuses an answer without float vectors (base64 encoded, say)', () => {
    expect(() => embeddingVectorsOf(bodyOf({ data: [{ index: 0, embedding: 'AAAA' }] }))).toThrow(
      /no float vectors/,
    );
  });
});
