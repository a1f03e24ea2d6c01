import type {
  ChatMessage,
  ChatRequest,
  ImagePart,
  ResponseFormat,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../llm/index.js';
import { compact } from '../shared/wire.js';

type WireMessage = Record<string, unknown>;

/**
 * Canonical request to a Chat Completions body. Anthropic-only details have no OpenAI field and are
 * left out: `cache_control` (OpenAI caches prefixes on its own; its explicit breakpoints exist only
 * on the newest models and would break OpenAI-compatible servers), `top_k` (OpenAI rejects unknown
 * parameters), and `is_error` on tool results (the result text is all OpenAI models see).
 */
export function encodeOpenaiChatRequest(request: ChatRequest, model: string): Record<string, unknown> {
  const tools = request.tools ?? [];
  // OpenAI rejects `tool_choice` and `parallel_tool_calls` in a request without tools.
  const hasTools = tools.length > 0;
  return compact({
    model,
    messages: [...encodeSystem(request.system), ...request.messages.flatMap(encodeMessage)],
    tools: hasTools ? tools.map(encodeTool) : undefined,
    tool_choice: hasTools ? encodeToolChoice(request.toolChoice) : undefined,
    parallel_tool_calls: hasTools ? request.parallelToolCalls : undefined,
    // `max_tokens` is deprecated and refused by reasoning models; `max_completion_tokens` is not.
    max_completion_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    // OpenAI wants one to four stop sequences; an empty list means none.
    stop: request.stop === undefined || request.stop.length === 0 ? undefined : request.stop,
    n: request.n,
    seed: request.seed,
    response_format: encodeResponseFormat(request.responseFormat),
    stream: request.stream,
    // The gateway needs usage to account for every stream, whatever the caller asked for.
    stream_options: request.stream ? { include_usage: true } : undefined,
    user: request.user,
  });
}

function encodeSystem(system: readonly TextPart[]): WireMessage[] {
  const [only, ...rest] = system;
  if (only === undefined) return [];
  if (rest.length === 0) return [{ role: 'system', content: only.text }];
  return [{ role: 'system', content: system.map(encodeTextPart) }];
}

function encodeMessage(message: ChatMessage): WireMessage[] {
  return message.role === 'user' ? encodeUserMessage(message) : [encodeAssistantMessage(message)];
}

/**
 * Tool results become `tool` messages, placed first because OpenAI wants them right after the
 * assistant turn that called the tools. Images inside tool results cannot ride in a `tool`
 * message, so they follow in the user message instead of being lost.
 */
function encodeUserMessage(message: ChatMessage): WireMessage[] {
  const toolMessages: WireMessage[] = [];
  const userParts: (TextPart | ImagePart)[] = [];
  for (const part of message.content) {
    if (part.type === 'tool_result') {
      const texts = part.content.filter((item) => item.type === 'text');
      toolMessages.push({ role: 'tool', tool_call_id: part.toolCallId, content: encodeToolText(texts) });
      userParts.push(...part.content.filter((item) => item.type === 'image'));
    } else if (part.type === 'text' || part.type === 'image') {
      userParts.push(part);
    }
  }
  if (userParts.length === 0) return toolMessages;
  const user = compact({ role: 'user', content: encodeUserContent(userParts), name: message.name });
  return [...toolMessages, user];
}

function encodeToolText(texts: readonly TextPart[]): string | Record<string, unknown>[] {
  const [only, ...rest] = texts;
  if (only === undefined) return '';
  return rest.length === 0 ? only.text : texts.map(encodeTextPart);
}

function encodeUserContent(parts: readonly (TextPart | ImagePart)[]): string | Record<string, unknown>[] {
  const [only, ...rest] = parts;
  if (only?.type === 'text' && rest.length === 0) return only.text;
  return parts.map((part) => (part.type === 'text' ? encodeTextPart(part) : encodeImagePart(part)));
}

function encodeAssistantMessage(message: ChatMessage): WireMessage {
  const texts: TextPart[] = [];
  const toolCalls: Record<string, unknown>[] = [];
  for (const part of message.content) {
    if (part.type === 'text') texts.push(part);
    if (part.type === 'tool_call') {
      toolCalls.push({
        id: part.id,
        type: 'function',
        function: { name: part.name, arguments: part.arguments },
      });
    }
  }
  const [only, ...rest] = texts;
  // OpenAI accepts a null content only beside tool calls; an empty turn says "".
  const silent = toolCalls.length > 0 ? null : '';
  const content = only === undefined ? silent : rest.length === 0 ? only.text : texts.map(encodeTextPart);
  return compact({
    role: 'assistant',
    content,
    tool_calls: toolCalls.length > 0 ? toolCalls : undefined,
    name: message.name,
  });
}

function encodeTextPart(part: TextPart): Record<string, unknown> {
  return { type: 'text', text: part.text };
}

export function encodeImagePart(part: ImagePart): Record<string, unknown> {
  const url =
    part.source.kind === 'url' ? part.source.url : `data:${part.source.mediaType};base64,${part.source.data}`;
  return { type: 'image_url', image_url: compact({ url, detail: part.detail }) };
}

function encodeTool(tool: ToolDefinition): Record<string, unknown> {
  return {
    type: 'function',
    function: compact({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      strict: tool.strict,
    }),
  };
}

function encodeToolChoice(choice: ToolChoice | undefined): unknown {
  if (choice === undefined) return undefined;
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

function encodeResponseFormat(format: ResponseFormat | undefined): unknown {
  if (format === undefined || format.type !== 'json_schema') return format;
  return {
    type: 'json_schema',
    json_schema: compact({ name: format.name, schema: format.schema, strict: format.strict }),
  };
}
