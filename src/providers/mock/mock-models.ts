/**
 * The models the mock lists. It answers to any model name (and reads faults from it); these are
 * the names it advertises, in OpenAI's and Anthropic's list shapes.
 */

export const mockModelNames: readonly string[] = Object.freeze(['mock', 'mock-chat', 'mock-embedding']);

/** A fixed date (2025-01-01), so the lists are the same on every run. */
const createdSeconds = 1_735_689_600;
const createdIso = '2025-01-01T00:00:00Z';

/** https://platform.openai.com/docs/api-reference/models/list */
export function openaiModelsBody(names: readonly string[]): Uint8Array {
  const data = names.map((id) => ({
    id,
    object: 'model',
    created: createdSeconds,
    owned_by: 'gatehouse-mock',
  }));
  return Buffer.from(JSON.stringify({ object: 'list', data }));
}

/** https://docs.anthropic.com/en/api/models-list */
export function anthropicModelsBody(names: readonly string[]): Uint8Array {
  const data = names.map((id) => ({ type: 'model', id, display_name: id, created_at: createdIso }));
  return Buffer.from(
    JSON.stringify({ data, has_more: false, first_id: names[0] ?? null, last_id: names.at(-1) ?? null }),
  );
}

/** A name the built-in mock answers when no model of that name is configured. */
export function isMockModelName(name: string): boolean {
  return name.includes('mock');
}
