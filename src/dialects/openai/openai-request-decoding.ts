import type {
  CacheControl,
  ChatMessage,
  ChatRequest,
  ImagePart,
  ImageSource,
  ResponseFormat,
  TextPart,
  ToolCallPart,
  ToolChoice,
  ToolDefinition,
  ToolResultPart,
} from '../../llm/index.js';
import { isPresent, isRecord } from '../shared/validation.js';
import {
  compact,
  readArray,
  readBoolean,
  readNumber,
  readRecord,
  readString,
  untranslatable,
} from '../shared/wire.js';

/** Tools without `parameters` take no arguments; the other dialect requires a schema. */
const emptyObjectSchema = { type: 'object', properties: {} };

/** A validated Chat Completions request to canonical form; refuses what cannot be translated. */
export function decodeOpenaiChatRequest(body: Record<string, unknown>): ChatRequest {
  // Legacy function calling has no call ids to pair calls with results, and its callers expect
  // `function_call` back; translating it would answer in a shape they never asked for.
  if (isPresent(body.functions)) throw untranslatable('functions', 'legacy function calling');
  if (isPresent(body.function_call)) throw untranslatable('function_call', 'legacy function calling');
  const { system, messages } = decodeMessages(readArray(body.messages));
  const tools = isPresent(body.tools) ? readArray(body.tools).map(decodeTool) : undefined;
  return compact({
    model: readString(body.model) ?? '',
    system,
    messages,
    tools,
    toolChoice: decodeToolChoice(body.tool_choice),
    parallelToolCalls: readBoolean(body.parallel_tool_calls),
    maxTokens: readNumber(body.max_completion_tokens) ?? readNumber(body.max_tokens),
    temperature: readNumber(body.temperature),
    topP: readNumber(body.top_p),
    stop: decodeStop(body.stop),
    n: readNumber(body.n),
    seed: readNumber(body.seed),
    responseFormat: decodeResponseFormat(body.response_format),
    stream: body.stream === true,
    includeUsage: readBoolean(readRecord(body.stream_options).include_usage),
    // `user` is deprecated in favour of `safety_identifier`; both identify the end user.
    user: readString(body.user) ?? readString(body.safety_identifier),
  });
}

function decodeMessages(wire: readonly unknown[]): { system: TextPart[]; messages: ChatMessage[] } {
  const system: TextPart[] = [];
  const messages: ChatMessage[] = [];
  // Consecutive tool messages answer one assistant turn; canonically they are one user turn.
  let toolResults: ToolResultPart[] | undefined;
  wire.forEach((value, index) => {
    const message = readRecord(value);
    const param = `messages[${index}]`;
    if (message.role !== 'tool') toolResults = undefined;
    switch (message.role) {
      case 'system':
      case 'developer':
        // The other dialect has one system prompt ahead of the conversation, so system messages
        // are hoisted into it in order, wherever they appear.
        system.push(...decodeTextContent(message.content, `${param}.content`));
        return;
      case 'user':
        messages.push(
          compact({
            role: 'user' as const,
            content: decodeUserContent(message.content, `${param}.content`),
            name: readString(message.name),
          }),
        );
        return;
      case 'assistant':
        messages.push(decodeAssistant(message, param));
        return;
      case 'tool':
        if (toolResults === undefined) {
          toolResults = [];
          messages.push({ role: 'user', content: toolResults });
        }
        toolResults.push({
          type: 'tool_result',
          toolCallId: readString(message.tool_call_id) ?? '',
          content: decodeTextContent(message.content, `${param}.content`),
        });
        return;
      default:
        throw untranslatable(`${param}.role`, `a "${readString(message.role) ?? 'unknown'}" message`);
    }
  });
  return { system, messages };
}

function decodeAssistant(message: Record<string, unknown>, param: string): ChatMessage {
  if (isPresent(message.function_call))
    throw untranslatable(`${param}.function_call`, 'legacy function calling');
  const content: (TextPart | ToolCallPart)[] = [];
  if (isPresent(message.content)) content.push(...decodeTextContent(message.content, `${param}.content`));
  // A refusal in the history is what the assistant said; the other dialect keeps it as text.
  const refusal = readString(message.refusal);
  if (refusal !== undefined) content.push({ type: 'text', text: refusal });
  readArray(message.tool_calls).forEach((value, index) => {
    const call = readRecord(value);
    if (call.type !== 'function') throw untranslatable(`${param}.tool_calls[${index}]`, 'a custom tool call');
    const target = readRecord(call.function);
    content.push({
      type: 'tool_call',
      id: readString(call.id) ?? '',
      name: readString(target.name) ?? '',
      arguments: readString(target.arguments) ?? '',
    });
  });
  return compact({ role: 'assistant' as const, content, name: readString(message.name) });
}

/** System, developer, tool and assistant content: a string, or text (and refusal) parts. */
function decodeTextContent(content: unknown, param: string): TextPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return readArray(content).map((value, index) => {
    const part = readRecord(value);
    if (part.type === 'refusal') return { type: 'text', text: readString(part.refusal) ?? '' };
    if (part.type !== 'text') throw untranslatable(`${param}[${index}]`, 'a non-text content part');
    return decodeTextPart(part);
  });
}

function decodeUserContent(content: unknown, param: string): (TextPart | ImagePart)[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return readArray(content).map((value, index) => {
    const part = readRecord(value);
    if (part.type === 'text') return decodeTextPart(part);
    if (part.type === 'image_url') return decodeImagePart(part);
    throw untranslatable(`${param}[${index}]`, `a "${readString(part.type) ?? 'unknown'}" content part`);
  });
}

function decodeTextPart(part: Record<string, unknown>): TextPart {
  return compact({
    type: 'text' as const,
    text: readString(part.text) ?? '',
    cacheControl: decodeCacheBreakpoint(part),
  });
}

function decodeImagePart(part: Record<string, unknown>): ImagePart {
  const image = readRecord(part.image_url);
  return compact({
    type: 'image' as const,
    source: decodeImageUrl(readString(image.url) ?? ''),
    detail: readString(image.detail),
    cacheControl: decodeCacheBreakpoint(part),
  });
}

/** `data:<media type>;base64,<data>` becomes inline data; anything else is a URL to fetch. */
export function decodeImageUrl(url: string): ImageSource {
  const match = /^data:([^;,]+);base64,/.exec(url);
  const mediaType = match?.[1];
  if (match === null || mediaType === undefined) return { kind: 'url', url };
  return { kind: 'base64', mediaType, data: url.slice(match[0].length) };
}

/**
 * OpenAI's explicit `prompt_cache_breakpoint` marks the end of a reusable prefix, as Anthropic's
 * `cache_control` does, so it carries over; its TTL comes from request-wide options, so none here.
 */
function decodeCacheBreakpoint(part: Record<string, unknown>): CacheControl | undefined {
  return isRecord(part.prompt_cache_breakpoint) ? { type: 'ephemeral' } : undefined;
}

function decodeTool(value: unknown, index: number): ToolDefinition {
  const tool = readRecord(value);
  if (tool.type !== 'function') throw untranslatable(`tools[${index}]`, 'a custom tool');
  const definition = readRecord(tool.function);
  return compact({
    name: readString(definition.name) ?? '',
    description: readString(definition.description),
    parameters: isRecord(definition.parameters) ? definition.parameters : emptyObjectSchema,
    strict: readBoolean(definition.strict),
  });
}

function decodeToolChoice(value: unknown): ToolChoice | undefined {
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (!isRecord(value)) return undefined;
  if (value.type === 'function')
    return { type: 'tool', name: readString(readRecord(value.function).name) ?? '' };
  throw untranslatable('tool_choice', `a "${readString(value.type) ?? 'unknown'}" tool choice`);
}

function decodeStop(value: unknown): readonly string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item) => typeof item === 'string') : undefined;
}

function decodeResponseFormat(value: unknown): ResponseFormat | undefined {
  if (!isRecord(value)) return undefined;
  if (value.type === 'text' || value.type === 'json_object') return { type: value.type };
  if (value.type !== 'json_schema') return undefined;
  const schema = readRecord(value.json_schema);
  return compact({
    type: 'json_schema' as const,
    name: readString(schema.name) ?? '',
    schema: readRecord(schema.schema),
    strict: readBoolean(schema.strict),
  });
}
