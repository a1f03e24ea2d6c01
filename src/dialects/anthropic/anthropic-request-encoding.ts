import { GatewayError } from '../../errors/index.js';
import type {
  ChatMessage,
  ChatRequest,
  ContentPart,
  TextPart,
  ToolChoice,
  ToolDefinition,
} from '../../llm/index.js';
import { compact, untranslatable } from '../shared/wire.js';
import { outputToolOf, type OutputTool } from './anthropic-structured-output.js';
import { anthropicToolId, encodeCacheControl, encodeImageSource, toolInput } from './anthropic-wire.js';

/** Anthropic requires `max_tokens`; callers of the other dialect may leave it out. */
export const defaultMaxTokens = 4096;

/**
 * Canonical request to a Messages body. What Anthropic cannot express is left out: `seed`,
 * message `name`, image `detail` and tool `strict`. `response_format` becomes a forced tool
 * (see anthropic-structured-output.ts); combined with the caller's own tools it has no faithful
 * form (the forced tool would take their place), so that is refused rather than half done.
 */
export function encodeAnthropicChatRequest(request: ChatRequest, model: string): Record<string, unknown> {
  if (request.n !== undefined && request.n > 1) throw untranslatable('n', 'more than one choice');
  const output = outputToolOf(request.responseFormat);
  if (output !== undefined) return encodeWithOutputTool(request, model, output);
  const tools = request.tools ?? [];
  const hasTools = tools.length > 0;
  return compact({
    ...encodeCommon(request, model),
    tools: hasTools ? tools.map(encodeTool) : undefined,
    tool_choice: hasTools ? encodeToolChoice(request.toolChoice, request.parallelToolCalls) : undefined,
  });
}

function encodeWithOutputTool(
  request: ChatRequest,
  model: string,
  output: OutputTool,
): Record<string, unknown> {
  if ((request.tools ?? []).length > 0) {
    throw untranslatable('response_format', 'structured output together with tools');
  }
  const schemaType = output.input_schema.type;
  if (schemaType !== undefined && schemaType !== 'object') {
    throw untranslatable('response_format', 'a JSON schema whose top level is not an object');
  }
  return compact({
    ...encodeCommon(request, model),
    tools: [output],
    tool_choice: { type: 'tool', name: output.name },
  });
}

function encodeCommon(request: ChatRequest, model: string): Record<string, unknown> {
  return compact({
    model,
    system: encodeSystem(request.system),
    messages: request.messages.map(encodeMessage),
    max_tokens: request.maxTokens ?? defaultMaxTokens,
    // OpenAI accepts temperatures up to 2, Anthropic up to 1: the hottest setting is the closest.
    temperature: request.temperature === undefined ? undefined : Math.min(request.temperature, 1),
    top_p: request.topP,
    top_k: request.topK,
    stop_sequences: request.stop,
    stream: request.stream,
    metadata: request.user === undefined ? undefined : { user_id: request.user },
  });
}

function encodeSystem(system: readonly TextPart[]): unknown {
  const [only, ...rest] = system;
  if (only === undefined) return undefined;
  if (rest.length === 0 && only.cacheControl === undefined) return only.text;
  return system.map(encodeTextBlock);
}

function encodeMessage(message: ChatMessage): Record<string, unknown> {
  return { role: message.role, content: encodeContent(message.content) };
}

/**
 * A lone plain text part is sent as a string, the form most callers write. Empty text parts next
 * to others (OpenAI clients often send `content: ""` beside tool calls) are dropped, because
 * Anthropic rejects empty text blocks.
 */
function encodeContent(content: readonly ContentPart[]): unknown {
  const [only, ...rest] = content;
  if (only?.type === 'text' && only.cacheControl === undefined && rest.length === 0) return only.text;
  const parts =
    content.length > 1 ? content.filter((part) => part.type !== 'text' || part.text !== '') : content;
  return parts.map(encodeBlock);
}

function encodeBlock(part: ContentPart): Record<string, unknown> {
  const cacheControl = encodeCacheControl(part.cacheControl);
  switch (part.type) {
    case 'text':
      return encodeTextBlock(part);
    case 'image':
      return compact({ type: 'image', source: encodeImageSource(part.source), cache_control: cacheControl });
    case 'tool_call': {
      const input = toolInput(part.arguments);
      if (input === undefined) {
        throw new GatewayError(
          'invalid_request',
          `The arguments of tool call ${part.id} are not a JSON object, which Anthropic models require`,
        );
      }
      return compact({
        type: 'tool_use',
        id: anthropicToolId(part.id),
        name: part.name,
        input,
        cache_control: cacheControl,
      });
    }
    case 'tool_result':
      return compact({
        type: 'tool_result',
        tool_use_id: anthropicToolId(part.toolCallId),
        content: part.content.length === 0 ? undefined : encodeContent(part.content),
        is_error: part.isError,
        cache_control: cacheControl,
      });
  }
}

function encodeTextBlock(part: TextPart): Record<string, unknown> {
  return compact({ type: 'text', text: part.text, cache_control: encodeCacheControl(part.cacheControl) });
}

function encodeTool(tool: ToolDefinition): Record<string, unknown> {
  return compact({
    name: tool.name,
    description: tool.description,
    input_schema: tool.parameters,
    cache_control: encodeCacheControl(tool.cacheControl),
  });
}

/** OpenAI's `parallel_tool_calls: false` lives inside Anthropic's `tool_choice`. */
function encodeToolChoice(
  choice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): Record<string, unknown> | undefined {
  const serial = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallelToolCalls === false ? { type: 'auto', ...serial } : undefined;
    case 'auto':
      return { type: 'auto', ...serial };
    case 'required':
      return { type: 'any', ...serial };
    case 'tool':
      return { type: 'tool', name: choice.name, ...serial };
    case 'none':
      return { type: 'none' };
  }
}
