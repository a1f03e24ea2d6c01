import type { Dialect } from '../../llm/index.js';
import { countCharacters, estimateTokens } from './mock-text.js';

/**
 * Reads what the mock needs from a chat request body of either dialect into one neutral view. It
 * checks only what it reads, so odd but well-formed requests still get an answer.
 */

export interface MockTool {
  readonly name: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

export type MockToolChoice =
  { readonly type: 'auto' | 'none' | 'required' } | { readonly type: 'tool'; readonly name: string };

export type MockResponseFormat =
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly schema: Readonly<Record<string, unknown>> };

export interface MockChatView {
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly choiceCount: number;
  readonly maxTokens?: number;
  readonly stopSequences: readonly string[];
  /** The text of the last user message (tool results excluded). */
  readonly userText: string;
  /** Present when the last message is a tool result: its text. */
  readonly toolResultText?: string;
  /** Present when the last message is the assistant's (a prefill to continue): its text. */
  readonly prefillText?: string;
  readonly tools: readonly MockTool[];
  readonly toolChoice: MockToolChoice;
  /**
   * Several tools may be called in one answer: false with OpenAI's `parallel_tool_calls: false` or
   * Anthropic's `tool_choice.disable_parallel_tool_use: true`.
   */
  readonly parallelToolCalls: boolean;
  readonly responseFormat?: MockResponseFormat;
  readonly promptTokens: number;
}

export type ChatViewResult =
  | { readonly ok: true; readonly view: MockChatView }
  | { readonly ok: false; readonly message: string; readonly param: string };

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The text of a message's content in either dialect: a string, or the text of its text parts. */
export function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (isObject(part) && typeof part.text === 'string')
      text += text === '' ? part.text : ` ${part.text}`;
  }
  return text;
}

function toolResultTextOf(content: unknown): string | undefined {
  if (!Array.isArray(content)) return undefined;
  let found = false;
  let text = '';
  for (const part of content) {
    if (isObject(part) && part.type === 'tool_result') {
      found = true;
      const partText = textOf(part.content);
      text += text === '' ? partText : ` ${partText}`;
    }
  }
  return found ? text : undefined;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function stopSequencesOf(value: unknown): readonly string[] {
  if (typeof value === 'string') return value === '' ? [] : [value];
  if (!Array.isArray(value)) return [];
  return value.filter((item): item is string => typeof item === 'string' && item !== '');
}

function toolsOf(dialect: Dialect, value: unknown): readonly MockTool[] {
  if (!Array.isArray(value)) return [];
  const tools: MockTool[] = [];
  for (const tool of value) {
    if (!isObject(tool)) continue;
    // OpenAI nests the function; Anthropic server tools (web search, ...) have no input schema.
    const definition = dialect === 'openai' ? tool.function : tool;
    if (!isObject(definition) || typeof definition.name !== 'string') continue;
    const schema = dialect === 'openai' ? definition.parameters : definition.input_schema;
    tools.push({ name: definition.name, parameters: isObject(schema) ? schema : { type: 'object' } });
  }
  return tools;
}

function toolChoiceOf(dialect: Dialect, value: unknown): MockToolChoice {
  if (dialect === 'openai') {
    if (value === 'none' || value === 'required') return { type: value };
    if (isObject(value) && isObject(value.function) && typeof value.function.name === 'string') {
      return { type: 'tool', name: value.function.name };
    }
    return { type: 'auto' };
  }
  if (!isObject(value)) return { type: 'auto' };
  if (value.type === 'any') return { type: 'required' };
  if (value.type === 'none') return { type: 'none' };
  if (value.type === 'tool' && typeof value.name === 'string') return { type: 'tool', name: value.name };
  return { type: 'auto' };
}

function parallelToolCallsOf(dialect: Dialect, body: JsonObject): boolean {
  if (dialect === 'openai') return body.parallel_tool_calls !== false;
  return !(isObject(body.tool_choice) && body.tool_choice.disable_parallel_tool_use === true);
}

function responseFormatOf(value: unknown): MockResponseFormat | undefined {
  if (!isObject(value)) return undefined;
  if (value.type === 'json_object') return { type: 'json_object' };
  if (value.type === 'json_schema' && isObject(value.json_schema) && isObject(value.json_schema.schema)) {
    return { type: 'json_schema', schema: value.json_schema.schema };
  }
  return undefined;
}

/** Anthropic's structured output: `output_config.format`, or the beta's `output_format`. */
function outputFormatOf(body: JsonObject): MockResponseFormat | undefined {
  const chosen = (isObject(body.output_config) ? body.output_config.format : undefined) ?? body.output_format;
  if (isObject(chosen) && chosen.type === 'json_schema' && isObject(chosen.schema)) {
    return { type: 'json_schema', schema: chosen.schema };
  }
  return undefined;
}

/** The largest `n` OpenAI accepts. */
const largestChoiceCount = 128;

export function readChatRequest(dialect: Dialect, body: unknown): ChatViewResult {
  if (!isObject(body)) return { ok: false, message: 'The request body must be a JSON object.', param: '' };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    return { ok: false, message: 'messages: must be a non-empty array.', param: 'messages' };
  }
  const choiceCount = dialect === 'openai' ? (positiveInteger(body.n) ?? 1) : 1;
  if (choiceCount < 1 || choiceCount > largestChoiceCount) {
    return { ok: false, message: `n: must be between 1 and ${largestChoiceCount}.`, param: 'n' };
  }
  const tools = toolsOf(dialect, body.tools);
  const toolChoice = tools.length === 0 ? { type: 'none' as const } : toolChoiceOf(dialect, body.tool_choice);
  if (toolChoice.type === 'tool' && !tools.some((tool) => tool.name === toolChoice.name)) {
    return { ok: false, message: `tool_choice: no tool named "${toolChoice.name}".`, param: 'tool_choice' };
  }

  let userText = '';
  let toolResultText: string | undefined;
  let prefillText: string | undefined;
  const last = messages[messages.length - 1] as unknown;
  const lastRole = isObject(last) ? last.role : undefined;
  if (isObject(last) && lastRole === 'assistant') prefillText = textOf(last.content);
  else if (isObject(last) && lastRole === 'tool') toolResultText = textOf(last.content);
  else if (isObject(last) && dialect === 'anthropic') toolResultText = toolResultTextOf(last.content);
  for (let index = messages.length - 1; index >= 0; index--) {
    const message = messages[index] as unknown;
    if (isObject(message) && message.role === 'user') {
      userText = textOf(message.content);
      if (userText !== '' || toolResultTextOf(message.content) === undefined) break;
    }
  }

  const maxTokens =
    dialect === 'openai'
      ? (positiveInteger(body.max_completion_tokens) ?? positiveInteger(body.max_tokens))
      : positiveInteger(body.max_tokens);
  const responseFormat = dialect === 'openai' ? responseFormatOf(body.response_format) : outputFormatOf(body);
  const streamOptions = body.stream_options;
  const characters = countCharacters(messages) + countCharacters(body.system) + countCharacters(body.tools);
  return {
    ok: true,
    view: {
      stream: body.stream === true,
      includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
      choiceCount,
      ...(maxTokens === undefined ? {} : { maxTokens }),
      stopSequences: stopSequencesOf(dialect === 'openai' ? body.stop : body.stop_sequences),
      userText,
      ...(toolResultText === undefined ? {} : { toolResultText }),
      ...(prefillText === undefined ? {} : { prefillText }),
      tools,
      toolChoice,
      parallelToolCalls: parallelToolCallsOf(dialect, body),
      ...(responseFormat === undefined ? {} : { responseFormat }),
      promptTokens: estimateTokens(characters),
    },
  };
}
