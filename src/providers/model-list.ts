import type { UpstreamOutcome } from './contract.js';

/** The ids of an OpenAI- or Anthropic-shaped model list (`{ data: [{ id }] }`); throws on failure. */
export async function readModelIds(outcome: UpstreamOutcome): Promise<readonly string[]> {
  if (!outcome.ok) throw outcome.failure.error;
  const chunks: Uint8Array[] = [];
  for await (const chunk of outcome.response.body) chunks.push(chunk);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  const data = typeof parsed === 'object' && parsed !== null && 'data' in parsed ? parsed.data : undefined;
  if (!Array.isArray(data)) return [];
  return data.flatMap((entry: unknown) =>
    typeof entry === 'object' && entry !== null && 'id' in entry && typeof entry.id === 'string'
      ? [entry.id]
      : [],
  );
}
