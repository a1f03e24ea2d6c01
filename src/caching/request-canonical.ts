import type { Dialect } from '../llm/index.js';

type Body = Readonly<Record<string, unknown>>;

/**
 * Fields that never change the answer: how it is delivered (`stream`, `stream_options`), who asked
 * (`user`, `metadata`, `safety_identifier`), what the provider does with it afterwards (`store`),
 * its priority (`service_tier`) and prompt-cache routing hints (`prompt_cache_key`). Everything
 * else counts, unknown fields included: an unrecognised parameter costs a cache hit at worst, where
 * ignoring one that changes the answer would serve the wrong answer.
 */
const neutralFields: Readonly<Record<Dialect, ReadonlySet<string>>> = {
  openai: new Set([
    'stream',
    'stream_options',
    'user',
    'metadata',
    'store',
    'service_tier',
    'prompt_cache_key',
    'safety_identifier',
  ]),
  anthropic: new Set(['stream', 'metadata', 'service_tier']),
};

/**
 * The request as data that is equal for equivalent requests: answer-neutral fields dropped, `null`
 * top-level parameters dropped (both APIs read them as "unset"), string content written as its
 * one text block, a lone stop string as a list, defaults that the API applies anyway left out, and
 * Anthropic `cache_control` markers removed (they steer the provider's prompt cache, not the
 * answer). Serialise it with `canonicalJson`.
 */
export function canonicalRequest(dialect: Dialect, body: Body): Record<string, unknown> {
  return dialect === 'openai' ? canonicalOpenai(body) : canonicalAnthropic(body);
}

function canonicalOpenai(body: Body): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (neutralFields.openai.has(name) || value === null || value === undefined) continue;
    result[name] = value;
  }
  if (Array.isArray(result.messages)) result.messages = result.messages.map(openaiMessage);
  if (typeof result.stop === 'string') result.stop = [result.stop];
  // `max_tokens` is the deprecated spelling of `max_completion_tokens`; both bound the same thing.
  if (result.max_tokens !== undefined && result.max_completion_tokens === undefined) {
    result.max_completion_tokens = result.max_tokens;
    delete result.max_tokens;
  }
  const hasTools = Array.isArray(result.tools) && result.tools.length > 0;
  if (result.tool_choice === (hasTools ? 'auto' : 'none')) delete result.tool_choice;
  if (result.n === 1) delete result.n;
  if (result.parallel_tool_calls === true) delete result.parallel_tool_calls;
  if (isRecord(result.response_format) && result.response_format.type === 'text') {
    if (Object.keys(result.response_format).length === 1) delete result.response_format;
  }
  return result;
}

function openaiMessage(message: unknown): unknown {
  if (!isRecord(message)) return message;
  const result: Record<string, unknown> = { ...message };
  if (typeof result.content === 'string') result.content = [{ type: 'text', text: result.content }];
  else if (result.content === null) delete result.content;
  return result;
}

function canonicalAnthropic(body: Body): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body)) {
    if (neutralFields.anthropic.has(name) || value === null || value === undefined) continue;
    result[name] = value;
  }
  const system = blocks(result.system);
  if (system === undefined || system.length === 0) delete result.system;
  else result.system = system;
  if (Array.isArray(result.messages)) result.messages = result.messages.map(anthropicMessage);
  if (Array.isArray(result.tools)) result.tools = result.tools.map(withoutCacheControl);
  if (isRecord(result.tool_choice) && Object.keys(result.tool_choice).length === 1) {
    if (result.tool_choice.type === 'auto') delete result.tool_choice;
  }
  if (Array.isArray(result.stop_sequences) && result.stop_sequences.length === 0)
    delete result.stop_sequences;
  return result;
}

function anthropicMessage(message: unknown): unknown {
  if (!isRecord(message)) return message;
  const content = blocks(message.content);
  return content === undefined ? message : { ...message, content };
}

/** Content or a system prompt as a list of blocks without `cache_control`. */
function blocks(value: unknown): unknown[] | undefined {
  if (typeof value === 'string') return [{ type: 'text', text: value }];
  if (!Array.isArray(value)) return undefined;
  return value.map((block) => {
    const cleaned = withoutCacheControl(block);
    // A tool result's own content may be a string or blocks, as message content may.
    if (isRecord(cleaned) && cleaned.type === 'tool_result' && cleaned.content !== undefined) {
      return { ...cleaned, content: blocks(cleaned.content) ?? cleaned.content };
    }
    return cleaned;
  });
}

/** Only at block level: a tool's JSON schema may well have a property named `cache_control`. */
function withoutCacheControl(value: unknown): unknown {
  if (!isRecord(value) || !('cache_control' in value)) return value;
  const { cache_control: _marker, ...rest } = value;
  return rest;
}

/**
 * The semantic cache compares the last user message only; everything else about the request must
 * match exactly. This splits a canonical request into that message's text and the rest (its
 * images and other blocks stay in the rest). Undefined when the request does not end with a user
 * message that has text, such as a tool result: those are cached by exact match only.
 */
export function splitLastUserText(
  canonical: Readonly<Record<string, unknown>>,
): { readonly text: string; readonly rest: Record<string, unknown> } | undefined {
  if (!Array.isArray(canonical.messages) || canonical.messages.length === 0) return undefined;
  const messages = canonical.messages as readonly unknown[];
  const last: unknown = messages[messages.length - 1];
  if (!isRecord(last) || last.role !== 'user' || !Array.isArray(last.content)) return undefined;
  const texts: string[] = [];
  const others: unknown[] = [];
  for (const part of last.content as readonly unknown[]) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else others.push(part);
  }
  const text = texts.join('\n').trim();
  if (text === '') return undefined;
  const placeholder = { ...last, content: [...others, { type: 'semantic_prompt' }] };
  return { text, rest: { ...canonical, messages: [...messages.slice(0, -1), placeholder] } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
