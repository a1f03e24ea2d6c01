import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  ImagePart,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../llm/index.js';
import { isPresent } from '../shared/validation.js';
import {
  compact,
  readArray,
  readBoolean,
  readNumber,
  readRecord,
  readString,
  untranslatable,
} from '../shared/wire.js';
import { decodeOutputFormat } from './anthropic-structured-output.js';
import { decodeCacheControl } from './anthropic-wire.js';

/** A validated Messages request to canonical form; refuses what cannot be translated. */
export function decodeAnthropicChatRequest(body: Record<string, unknown>): ChatRequest {
  const disableParallel = readBoolean(readRecord(body.tool_choice).disable_parallel_tool_use);
  return compact({
    model: readString(body.model) ?? '',
    system: decodeSystem(body.system),
    messages: readArray(body.messages).map(decodeMessage),
    tools: isPresent(body.tools) ? readArray(body.tools).map(decodeTool) : undefined,
    toolChoice: decodeToolChoice(body.tool_choice),
    parallelToolCalls: disableParallel === undefined ? undefined : !disableParallel,
    maxTokens: readNumber(body.max_tokens),
    temperature: readNumber(body.temperature),
    topP: readNumber(body.top_p),
    topK: readNumber(body.top_k),
    stop: isPresent(body.stop_sequences)
      ? readArray(body.stop_sequences).filter((item) => typeof item === 'string')
      : undefined,
    responseFormat: decodeOutputFormat(body),
    stream: body.stream === true,
    user: readString(readRecord(body.metadata).user_id),
  });
}

function decodeSystem(system: unknown): TextPart[] {
  if (typeof system === 'string') return [{ type: 'text', text: system }];
  return readArray(system).map((block) => decodeTextBlock(readRecord(block)));
}

function decodeMessage(value: unknown, index: number): ChatMessage {
  const message = readRecord(value);
  const param = `messages[${index}].content`;
  const role = message.role === 'assistant' ? 'assistant' : 'user';
  if (typeof message.content === 'string')
    return { role, content: [{ type: 'text', text: message.content }] };
  const content: ContentPart[] = [];
  readArray(message.content).forEach((block, position) => {
    const part = decodeBlock(readRecord(block), `${param}[${position}]`);
    if (part !== undefined) content.push(part);
  });
  return { role, content };
}

/**
 * Thinking blocks are dropped: models of the other dialect cannot read them, and Anthropic itself
 * leaves the thinking of earlier turns out of the context.
 */
function decodeBlock(block: Record<string, unknown>, param: string): ContentPart | undefined {
  switch (block.type) {
    case 'text':
      return decodeTextBlock(block);
    case 'image':
      return decodeImageBlock(block, param);
    case 'tool_use':
      return compact({
        type: 'tool_call' as const,
        id: readString(block.id) ?? '',
        name: readString(block.name) ?? '',
        arguments: JSON.stringify(block.input ?? {}),
        cacheControl: decodeCacheControl(block.cache_control),
      });
    case 'tool_result':
      return compact({
        type: 'tool_result' as const,
        toolCallId: readString(block.tool_use_id) ?? '',
        content: decodeToolResultContent(block.content, `${param}.content`),
        isError: readBoolean(block.is_error),
        cacheControl: decodeCacheControl(block.cache_control),
      });
    case 'thinking':
    case 'redacted_thinking':
      return undefined;
    default:
      throw untranslatable(param, `a "${readString(block.type) ?? 'unknown'}" content block`);
  }
}

function decodeToolResultContent(content: unknown, param: string): (TextPart | ImagePart)[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return readArray(content).map((value, index) => {
    const block = readRecord(value);
    if (block.type === 'text') return decodeTextBlock(block);
    if (block.type === 'image') return decodeImageBlock(block, `${param}[${index}]`);
    throw untranslatable(
      `${param}[${index}]`,
      `a "${readString(block.type) ?? 'unknown'}" tool result block`,
    );
  });
}

function decodeTextBlock(block: Record<string, unknown>): TextPart {
  return compact({
    type: 'text' as const,
    text: readString(block.text) ?? '',
    cacheControl: decodeCacheControl(block.cache_control),
  });
}

function decodeImageBlock(block: Record<string, unknown>, param: string): ImagePart {
  const source = readRecord(block.source);
  const cacheControl = decodeCacheControl(block.cache_control);
  if (source.type === 'url') {
    return compact({
      type: 'image' as const,
      source: { kind: 'url' as const, url: readString(source.url) ?? '' },
      cacheControl,
    });
  }
  if (source.type !== 'base64') throw untranslatable(`${param}.source`, 'an image from the Files API');
  return compact({
    type: 'image' as const,
    source: {
      kind: 'base64' as const,
      mediaType: readString(source.media_type) ?? '',
      data: readString(source.data) ?? '',
    },
    cacheControl,
  });
}

function decodeTool(value: unknown, index: number): ToolDefinition {
  const tool = readRecord(value);
  if (isPresent(tool.type) && tool.type !== 'custom') {
    throw untranslatable(`tools[${index}]`, `the server tool "${readString(tool.type) ?? 'unknown'}"`);
  }
  return compact({
    name: readString(tool.name) ?? '',
    description: readString(tool.description),
    parameters: readRecord(tool.input_schema),
    cacheControl: decodeCacheControl(tool.cache_control),
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  const choice = readRecord(value);
  switch (choice.type) {
    case 'auto':
    case 'none':
      return { type: choice.type };
    case 'any':
      return { type: 'required' };
    case 'tool':
      return { type: 'tool', name: readString(choice.name) ?? '' };
    default:
      return undefined;
  }
}
