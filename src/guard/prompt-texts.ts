import type { Dialect } from '../llm/index.js';
import type { HistoryScope } from './injection-settings.js';

/**
 * The texts of a validated chat request that the guard scores: what users wrote (`input`) and what
 * tools returned (`tool_result`, indirect injection). System and developer prompts are the
 * application's own and are not scored; assistant turns are the model's. With `latest_turn`, only
 * the messages after the last assistant message are walked: in a conversation the client resends,
 * everything before was scored on the turn it was new (decision 0017).
 */

export type PromptSource = 'input' | 'tool_result';

/**
 * Where a text is in the request, as the dialect's field path: built only for a text that is
 * reported, so a clean request formats no path.
 */
export type TextPath = () => string;

/** Returns true to stop the walk (a detection was found). */
export type TextVisitor = (text: string, source: PromptSource, path: TextPath) => boolean;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function visitString(value: unknown, source: PromptSource, path: TextPath, visit: TextVisitor): boolean {
  return typeof value === 'string' && value !== '' && visit(value, source, path);
}

/** The first message the walk visits: after the last assistant message, or the first. */
function firstWalked(messages: readonly unknown[], history: HistoryScope): number {
  if (history === 'all') return 0;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isObject(message) && message.role === 'assistant') return index + 1;
  }
  return 0;
}

/** OpenAI content: a string, or parts of which `text` ones are text. */
function visitOpenaiContent(content: unknown, source: PromptSource, at: string, visit: TextVisitor): boolean {
  if (typeof content === 'string') return visitString(content, source, () => at, visit);
  if (!Array.isArray(content)) return false;
  for (let index = 0; index < content.length; index += 1) {
    const part: unknown = content[index];
    if (
      isObject(part) &&
      part.type === 'text' &&
      visitString(part.text, source, () => `${at}[${index}].text`, visit)
    )
      return true;
  }
  return false;
}

function walkOpenai(messages: readonly unknown[], history: HistoryScope, visit: TextVisitor): boolean {
  for (let index = firstWalked(messages, history); index < messages.length; index += 1) {
    const message = messages[index];
    if (!isObject(message)) continue;
    const source: PromptSource | undefined =
      message.role === 'user'
        ? 'input'
        : message.role === 'tool' || message.role === 'function'
          ? 'tool_result'
          : undefined;
    if (
      source !== undefined &&
      visitOpenaiContent(message.content, source, `messages[${index}].content`, visit)
    )
      return true;
  }
  return false;
}

/** Blocks of text inside a tool result, search result or text document. */
function visitTextBlocks(content: unknown, source: PromptSource, at: string, visit: TextVisitor): boolean {
  if (typeof content === 'string') return visitString(content, source, () => at, visit);
  if (!Array.isArray(content)) return false;
  for (let index = 0; index < content.length; index += 1) {
    const block: unknown = content[index];
    if (
      isObject(block) &&
      block.type === 'text' &&
      visitString(block.text, source, () => `${at}[${index}].text`, visit)
    )
      return true;
  }
  return false;
}

function visitAnthropicBlock(block: Json, at: string, visit: TextVisitor): boolean {
  switch (block.type) {
    case 'text':
      return visitString(block.text, 'input', () => `${at}.text`, visit);
    case 'document': {
      const source = isObject(block.source) ? block.source : {};
      if (source.type === 'text') return visitString(source.data, 'input', () => `${at}.source.data`, visit);
      if (source.type === 'content')
        return visitTextBlocks(source.content, 'input', `${at}.source.content`, visit);
      return false;
    }
    case 'tool_result':
    case 'mcp_tool_result':
    case 'search_result':
      return visitTextBlocks(block.content, 'tool_result', `${at}.content`, visit);
    default:
      return false;
  }
}

function walkAnthropic(messages: readonly unknown[], history: HistoryScope, visit: TextVisitor): boolean {
  for (let index = firstWalked(messages, history); index < messages.length; index += 1) {
    const message = messages[index];
    if (!isObject(message) || message.role !== 'user') continue;
    const at = `messages[${index}].content`;
    const { content } = message;
    if (typeof content === 'string') {
      if (visitString(content, 'input', () => at, visit)) return true;
      continue;
    }
    if (!Array.isArray(content)) continue;
    for (let part = 0; part < content.length; part += 1) {
      const block: unknown = content[part];
      if (isObject(block) && visitAnthropicBlock(block, `${at}[${part}]`, visit)) return true;
    }
  }
  return false;
}

/**
 * Visits the texts to score, in message order, until the visitor returns true; returns whether it
 * did. Tolerates any shape, though it runs on validated requests only.
 */
export function visitPromptTexts(
  body: Readonly<Record<string, unknown>>,
  dialect: Dialect,
  history: HistoryScope,
  visit: TextVisitor,
): boolean {
  const { messages } = body;
  if (!Array.isArray(messages)) return false;
  return dialect === 'anthropic'
    ? walkAnthropic(messages, history, visit)
    : walkOpenai(messages, history, visit);
}
