import { jsonObjectMember } from '../shared/json-member.js';
import type { UsageReading } from '../codec.js';
import type {
  ChatChoice,
  ChatResponse,
  FinishReason,
  TextPart,
  ToolCallPart,
  Usage,
} from '../../llm/index.js';
import { isRecord } from '../shared/validation.js';
import {
  compact,
  invalidResponse,
  readArray,
  readCount,
  readNumber,
  readRecord,
  readString,
  withIdPrefix,
} from '../shared/wire.js';

const provider = 'The OpenAI-compatible upstream';

/** A Chat Completions response body (`chat.completion`) to canonical form. */
export function decodeOpenaiChatResponse(body: unknown): ChatResponse {
  if (!isRecord(body)) throw invalidResponse(provider, 'the body is not a JSON object');
  if (!Array.isArray(body.choices)) throw invalidResponse(provider, '`choices` is not an array');
  return compact({
    id: readString(body.id) ?? '',
    model: readString(body.model) ?? '',
    created: readNumber(body.created) ?? 0,
    choices: readArray(body.choices).map(decodeChoice),
    usage: decodeOpenaiUsage(body.usage),
    systemFingerprint: readString(body.system_fingerprint),
  });
}

function decodeChoice(value: unknown, position: number): ChatChoice {
  const choice = readRecord(value);
  const message = readRecord(choice.message);
  const content: (TextPart | ToolCallPart)[] = [];
  const text = readString(message.content);
  if (text !== undefined && text !== '') content.push({ type: 'text', text });
  for (const item of readArray(message.tool_calls)) {
    const call = readRecord(item);
    const target = readRecord(call.function);
    content.push({
      type: 'tool_call',
      id: readString(call.id) ?? '',
      name: readString(target.name) ?? '',
      arguments: readString(target.arguments) ?? '',
    });
  }
  return compact({
    index: readNumber(choice.index) ?? position,
    content,
    finishReason: decodeOpenaiFinishReason(choice.finish_reason),
    refusal: readString(message.refusal),
  });
}

export function decodeOpenaiFinishReason(value: unknown): FinishReason | null {
  switch (value) {
    case 'stop':
      return 'end';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'content_filter';
    default:
      return null;
  }
}

/**
 * OpenAI has no refusal stop; Anthropic's `refusal` (a safety classifier stopped the answer) is
 * closest to `content_filter`. OpenAI cannot say which stop sequence matched, only `stop`.
 */
export function encodeOpenaiFinishReason(reason: FinishReason | null): string | null {
  switch (reason) {
    case 'end':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'content_filter':
    case 'refusal':
      return 'content_filter';
    case null:
      return null;
  }
}

/** OpenAI `prompt_tokens` already include cached tokens, as canonical `inputTokens` do. */
export function decodeOpenaiUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const details = readRecord(value.prompt_tokens_details);
  return {
    inputTokens: readCount(value.prompt_tokens),
    outputTokens: readCount(value.completion_tokens),
    cachedInputTokens: readCount(details.cached_tokens),
    cacheCreationInputTokens: readCount(details.cache_write_tokens),
  };
}

/** `cache_write_tokens` is documented but rarely sent, so it appears only when there were any. */
export function encodeOpenaiUsage(usage: Usage): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: compact({
      cached_tokens: usage.cachedInputTokens,
      cache_write_tokens: usage.cacheCreationInputTokens > 0 ? usage.cacheCreationInputTokens : undefined,
    }),
  };
}

export function openaiCompletionId(id: string): string {
  return withIdPrefix(id, 'chatcmpl-', ['msg_']);
}

export function encodeOpenaiChatResponse(response: ChatResponse): Record<string, unknown> {
  return compact({
    id: openaiCompletionId(response.id),
    object: 'chat.completion',
    created: response.created,
    model: response.model,
    choices: response.choices.map(encodeChoice),
    usage: response.usage === undefined ? undefined : encodeOpenaiUsage(response.usage),
    system_fingerprint: response.systemFingerprint,
  });
}

function encodeChoice(choice: ChatChoice): Record<string, unknown> {
  const texts = choice.content.filter((part) => part.type === 'text').map((part) => part.text);
  const toolCalls = choice.content
    .filter((part) => part.type === 'tool_call')
    .map((part) => ({
      id: part.id,
      type: 'function',
      function: { name: part.name, arguments: part.arguments },
    }));
  return {
    index: choice.index,
    message: compact({
      role: 'assistant',
      content: texts.length === 0 ? null : texts.join(''),
      refusal: choice.refusal ?? null,
      tool_calls: toolCalls.length > 0 ? toolCalls : undefined,
    }),
    logprobs: null,
    finish_reason: encodeOpenaiFinishReason(choice.finishReason),
  };
}

/** Reads `usage` alone from the answer's bytes, for accounting on the pass-through path. */
export function usageOfOpenaiChatResponse(bytes: Buffer): UsageReading {
  const member = jsonObjectMember(bytes, 'usage');
  if (member.type === 'malformed') return { ok: false };
  return { ok: true, usage: member.type === 'found' ? decodeOpenaiUsage(member.value) : undefined };
}
