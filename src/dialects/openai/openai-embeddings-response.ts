/** The vectors of an OpenAI embeddings response (`encoding_format: float`), in input order. */
export function embeddingVectorsOf(body: Buffer): number[][] {
  const parsed = JSON.parse(body.toString('utf8')) as { data?: { index?: number; embedding?: unknown }[] };
  const data = [...(parsed.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
  return data.map((entry) => {
    if (!Array.isArray(entry.embedding)) throw new Error('the embeddings answer has no float vectors');
    return entry.embedding as number[];
  });
}
