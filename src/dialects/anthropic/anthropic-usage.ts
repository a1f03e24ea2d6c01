import type { Usage } from '../../llm/index.js';

/**
 * The one place that writes Anthropic's usage objects and text blocks, for every Anthropic answer
 * the gateway produces: translated messages and streams, and the mock provider's own. Anthropic's
 * OpenAPI description (the file its SDKs are generated from) requires `cache_creation`,
 * `server_tool_use` and `service_tier` in `Usage`, `citations` in a text block, and `input_tokens`,
 * the cache counts and `server_tool_use` in a `message_delta`'s usage; they are nullable, so what
 * the gateway cannot know (the cache's split by TTL, server tools, the tier) is `null`, never left
 * out: strict clients and validators reject a missing field.
 */

/** The input-side counts, split the Anthropic way: `input_tokens` excludes cache reads and writes. */
export function anthropicInputUsage(usage: Partial<Usage>): {
  readonly input_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
} {
  const cached = usage.cachedInputTokens ?? 0;
  const creation = usage.cacheCreationInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - cached - creation),
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: cached,
  };
}

/** `Usage` of a message (and of `message_start`). */
export function anthropicUsage(usage: Partial<Usage>): Record<string, unknown> {
  return {
    ...anthropicInputUsage(usage),
    output_tokens: usage.outputTokens ?? 0,
    cache_creation: null,
    server_tool_use: null,
    service_tier: null,
  };
}

/** `MessageDeltaUsage`: cumulative counts at the end of a stream. */
export function anthropicDeltaUsage(usage: Partial<Usage>): Record<string, unknown> {
  return {
    ...anthropicInputUsage(usage),
    output_tokens: usage.outputTokens ?? 0,
    server_tool_use: null,
  };
}

/** A text content block; `citations` is null because the gateway's answers cite nothing. */
export function anthropicTextBlock(text: string): { type: 'text'; text: string; citations: null } {
  return { type: 'text', text, citations: null };
}
