import type { Dialect } from '../llm/index.js';
import { nestingExceeds } from '../dialects/index.js';

/**
 * What a prompt is made of, reported piece by piece so that a caller can either add up lengths
 * (the cheap estimate, no allocation) or gather the text for a tokenizer (the exact count).
 */
export interface PromptVisitor {
  text(value: string): void;
  /** An image or a binary document: its data is never measured (base64 says nothing about tokens). */
  attachment(): void;
  message(): void;
  /** Token ids given directly (an embeddings `input` of integers). */
  tokens(count: number): void;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function visitString(value: unknown, visitor: PromptVisitor): void {
  if (typeof value === 'string' && value !== '') visitor.text(value);
}

/** Schemas and tool inputs count as the JSON the provider renders them to (near enough). */
function visitJson(value: unknown, visitor: PromptVisitor): void {
  if (value === undefined) return;
  visitString(typeof value === 'string' ? value : jsonText(value), visitor);
}

/**
 * Nesting up to which JSON.stringify is used. Validation refuses schemas deeper than 64 levels and
 * the body parser caps nesting too, but this walk may run on any value (it runs before validation
 * for some callers, and on objects built by code), and JSON.stringify recurses once per level.
 */
const nativeStringifyDepth = 256;

/** JSON text of a value of any depth, never recursing: JSON.stringify when shallow enough. */
function jsonText(value: unknown): string {
  return nestingExceeds(value, nativeStringifyDepth)
    ? stringifyIteratively(value)
    : (JSON.stringify(value) ?? '');
}

/** Punctuation waiting on the work stack between values. */
class Literal {
  constructor(readonly text: string) {}
}
const comma = new Literal(',');
const closeArray = new Literal(']');
const closeObject = new Literal('}');

/** JSON.stringify's output for parsed JSON, with a work stack instead of the call stack. */
function stringifyIteratively(value: unknown): string {
  const parts: string[] = [];
  const work: unknown[] = [value];
  while (work.length > 0) {
    const item = work.pop();
    if (item instanceof Literal) parts.push(item.text);
    else if (typeof item !== 'object' || item === null) parts.push(JSON.stringify(item) ?? 'null');
    else if (Array.isArray(item)) {
      parts.push('[');
      work.push(closeArray);
      for (let index = item.length - 1; index >= 0; index -= 1) {
        work.push(item[index]);
        if (index > 0) work.push(comma);
      }
    } else {
      parts.push('{');
      work.push(closeObject);
      const entries = Object.entries(item).filter(([, member]) => member !== undefined);
      for (let index = entries.length - 1; index >= 0; index -= 1) {
        const [key, member] = entries[index] as [string, unknown];
        work.push(member, new Literal(`${JSON.stringify(key)}:`));
        if (index > 0) work.push(comma);
      }
    }
  }
  return parts.join('');
}

function visitEach(value: unknown, visit: (item: Json) => void): void {
  if (!Array.isArray(value)) return;
  for (const item of value) if (isObject(item)) visit(item);
}

function visitOpenAIPart(part: Json, visitor: PromptVisitor): void {
  switch (part.type) {
    case 'text':
      visitString(part.text, visitor);
      return;
    case 'refusal':
      visitString(part.refusal, visitor);
      return;
    case 'image_url':
    case 'input_audio':
    case 'file':
      visitor.attachment();
      return;
    default:
      return;
  }
}

function visitOpenAIMessage(message: Json, visitor: PromptVisitor): void {
  visitor.message();
  visitString(message.name, visitor);
  if (typeof message.content === 'string') visitString(message.content, visitor);
  else visitEach(message.content, (part) => visitOpenAIPart(part, visitor));
  visitEach(message.tool_calls, (call) => {
    const called = isObject(call.function) ? call.function : {};
    visitString(called.name, visitor);
    visitString(called.arguments, visitor);
  });
  if (isObject(message.function_call)) {
    visitString(message.function_call.name, visitor);
    visitString(message.function_call.arguments, visitor);
  }
}

function visitEmbeddingsInput(input: unknown, visitor: PromptVisitor): void {
  if (typeof input === 'string') return visitString(input, visitor);
  if (!Array.isArray(input)) return;
  for (const item of input) {
    if (typeof item === 'string') visitString(item, visitor);
    else if (typeof item === 'number') visitor.tokens(1);
    else if (Array.isArray(item)) visitor.tokens(item.length);
  }
}

function walkOpenAI(body: Json, visitor: PromptVisitor): void {
  visitEach(body.messages, (message) => visitOpenAIMessage(message, visitor));
  visitEach(body.tools, (tool) => visitJson(tool.function ?? tool, visitor));
  visitEach(body.functions, (definition) => visitJson(definition, visitor));
  if (isObject(body.response_format)) visitJson(body.response_format.json_schema, visitor);
  if (body.input !== undefined) visitEmbeddingsInput(body.input, visitor);
}

function visitAnthropicBlock(block: Json, visitor: PromptVisitor): void {
  switch (block.type) {
    case 'text':
      visitString(block.text, visitor);
      return;
    case 'thinking':
      visitString(block.thinking, visitor);
      return;
    case 'image':
      visitor.attachment();
      return;
    case 'document': {
      const source = isObject(block.source) ? block.source : {};
      if (source.type === 'text') visitString(source.data, visitor);
      else if (source.type === 'content') visitAnthropicContent(source.content, visitor);
      else visitor.attachment();
      return;
    }
    case 'tool_use':
    case 'server_tool_use':
      visitString(block.name, visitor);
      visitJson(block.input, visitor);
      return;
    case 'tool_result':
    case 'search_result':
      visitAnthropicContent(block.content, visitor);
      return;
    case 'redacted_thinking':
      return;
    default:
      // Server tool results and future block types: their JSON, without any base64 payload.
      if (typeof block.type === 'string' && block.type.endsWith('_tool_result'))
        visitJson(block.content, visitor);
      return;
  }
}

function visitAnthropicContent(content: unknown, visitor: PromptVisitor): void {
  if (typeof content === 'string') visitString(content, visitor);
  else visitEach(content, (block) => visitAnthropicBlock(block, visitor));
}

function walkAnthropic(body: Json, visitor: PromptVisitor): void {
  visitAnthropicContent(body.system, visitor);
  visitEach(body.messages, (message) => {
    visitor.message();
    visitAnthropicContent(message.content, visitor);
  });
  visitEach(body.tools, (tool) => visitJson(tool, visitor));
}

/**
 * Walks the parts of a request body that become prompt tokens: messages, system, tools, tool calls
 * and results, schemas, embeddings input. Tolerates any shape (it may run before validation).
 */
export function walkPrompt(
  body: Readonly<Record<string, unknown>>,
  dialect: Dialect,
  visitor: PromptVisitor,
): void {
  if (dialect === 'anthropic') walkAnthropic(body, visitor);
  else walkOpenAI(body, visitor);
}
