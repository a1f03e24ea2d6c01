import { jsonObjectMember } from '../shared/json-member.js';
import type { UsageReading } from '../codec.js';
import { GatewayError } from '../../errors/index.js';
import type {
  ChatChoice,
  ChatRequest,
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
  nowSeconds,
  readArray,
  readCount,
  readRecord,
  readString,
} from '../shared/wire.js';
import { outputAsText, outputToolName } from './anthropic-structured-output.js';
import { anthropicTextBlock, anthropicUsage } from './anthropic-usage.js';
import { anthropicMessageId, anthropicToolId, toolInput } from './anthropic-wire.js';

const provider = 'The Anthropic upstream';

/**
 * A Messages response body to canonical form. Thinking and server-tool blocks are left out: the
 * other dialect has no place for them, and the answer is in the text and tool calls. When the
 * request's structured output was sent as a forced tool, that tool's input is the answer's text.
 */
export function decodeAnthropicChatResponse(body: unknown, request?: ChatRequest): ChatResponse {
  if (!isRecord(body)) throw invalidResponse(provider, 'the body is not a JSON object');
  if (!Array.isArray(body.content)) throw invalidResponse(provider, '`content` is not an array');
  const content: (TextPart | ToolCallPart)[] = [];
  for (const value of readArray(body.content)) {
    const block = readRecord(value);
    if (block.type === 'text') content.push({ type: 'text', text: readString(block.text) ?? '' });
    if (block.type === 'tool_use') {
      content.push({
        type: 'tool_call',
        id: readString(block.id) ?? '',
        name: readString(block.name) ?? '',
        arguments: JSON.stringify(block.input ?? {}),
      });
    }
  }
  const stopSequence = readString(body.stop_sequence);
  const outputTool = outputToolName(request);
  const finishReason = decodeAnthropicStopReason(body.stop_reason);
  const choice: ChatChoice = compact({
    index: 0,
    content: outputTool === undefined ? content : outputAsText(content, outputTool),
    finishReason: outputTool !== undefined && finishReason === 'tool_use' ? 'end' : finishReason,
    stopSequence,
  });
  return compact({
    id: readString(body.id) ?? '',
    model: readString(body.model) ?? '',
    // Messages responses carry no creation time; the moment it arrived is the closest.
    created: nowSeconds(),
    choices: [choice],
    usage: decodeAnthropicUsage(body.usage),
  });
}

export function decodeAnthropicStopReason(value: unknown): FinishReason | null {
  // `pause_turn` ends a server-tool turn early; what came so far is a complete answer.
  switch (value) {
    case 'end_turn':
    case 'pause_turn':
      return 'end';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'stop_sequence':
      return 'stop_sequence';
    case 'tool_use':
      return 'tool_use';
    case 'refusal':
      return 'refusal';
    default:
      return null;
  }
}

export function encodeAnthropicStopReason(reason: FinishReason | null): string | null {
  switch (reason) {
    case 'end':
      return 'end_turn';
    case 'max_tokens':
    case 'stop_sequence':
    case 'tool_use':
    case 'refusal':
      return reason;
    // A content filter stopped the answer: Anthropic's nearest is its safety `refusal`.
    case 'content_filter':
      return 'refusal';
    case null:
      return null;
  }
}

/** Anthropic `input_tokens` exclude cache reads and writes; canonical `inputTokens` include both. */
export function decodeAnthropicUsage(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const cachedInputTokens = readCount(value.cache_read_input_tokens);
  const cacheCreationInputTokens = readCount(value.cache_creation_input_tokens);
  return {
    inputTokens: readCount(value.input_tokens) + cachedInputTokens + cacheCreationInputTokens,
    outputTokens: readCount(value.output_tokens),
    cachedInputTokens,
    cacheCreationInputTokens,
  };
}

/** Canonical response to a Messages body; a Messages answer has one choice, so choice 0 it is. */
export function encodeAnthropicChatResponse(response: ChatResponse): Record<string, unknown> {
  const choice = response.choices[0];
  const content = (choice?.content ?? []).map(encodeBlock);
  // An OpenAI refusal has no content of its own; the refusal text is what the caller should read.
  if (choice?.refusal !== undefined) content.push(anthropicTextBlock(choice.refusal));
  const stopReason =
    choice?.refusal === undefined ? encodeAnthropicStopReason(choice?.finishReason ?? null) : 'refusal';
  return {
    id: anthropicMessageId(response.id),
    type: 'message',
    role: 'assistant',
    model: response.model,
    content,
    stop_reason: stopReason,
    stop_sequence: choice?.stopSequence ?? null,
    usage: anthropicUsage(response.usage ?? {}),
  };
}

function encodeBlock(part: TextPart | ToolCallPart): Record<string, unknown> {
  if (part.type === 'text') return anthropicTextBlock(part.text);
  const input = toolInput(part.arguments);
  if (input === undefined) {
    throw new GatewayError(
      'upstream_invalid_response',
      `The upstream model produced arguments for tool ${part.name} that are not a JSON object`,
    );
  }
  return { type: 'tool_use', id: anthropicToolId(part.id), name: part.name, input };
}

/** Reads `usage` alone from the answer's bytes, for accounting on the pass-through path. */
export function usageOfAnthropicChatResponse(bytes: Buffer): UsageReading {
  const member = jsonObjectMember(bytes, 'usage');
  if (member.type === 'malformed') return { ok: false };
  return { ok: true, usage: member.type === 'found' ? decodeAnthropicUsage(member.value) : undefined };
}
