import {
  describe,
  expectArray,
  expectBoolean,
  expectNonEmptyArray,
  expectNonEmptyString,
  expectOneOf,
  expectRecord,
  expectString,
  isPresent,
  reject,
} from '../shared/validation.js';

/**
 * Content block types a request may carry (Anthropic `InputContentBlock` and its beta variant).
 * The core ones are checked in depth; the rest (server tools, thinking, documents) pass through
 * to Anthropic targets, which validate them, and are refused only when translation needs them.
 */
const blockTypes = [
  'text',
  'image',
  'document',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'search_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
] as const;

/** What a `tool_result` may contain (Anthropic `RequestToolResultBlock.content`). */
const toolResultBlockTypes = ['text', 'image', 'document', 'search_result', 'tool_reference'] as const;

export function checkAnthropicMessages(value: unknown): number {
  const messages = expectNonEmptyArray(value, 'messages');
  messages.forEach((item, index) => {
    const param = `messages[${index}]`;
    const message = expectRecord(item, param);
    expectOneOf(message.role, `${param}.role`, ['user', 'assistant']);
    checkContent(message.content, `${param}.content`, blockTypes);
  });
  return messages.length;
}

/** `system`: a string or an array of text blocks. */
export function checkAnthropicSystem(value: unknown): void {
  if (typeof value === 'string') return;
  const blocks = expectArray(value, 'system');
  blocks.forEach((item, index) => checkBlock(item, `system[${index}]`, ['text']));
}

export function checkCacheControl(value: unknown, param: string): void {
  const control = expectRecord(value, param);
  expectOneOf(control.type, `${param}.type`, ['ephemeral']);
  if (isPresent(control.ttl)) expectOneOf(control.ttl, `${param}.ttl`, ['5m', '1h']);
}

function checkContent(value: unknown, param: string, allowed: readonly string[]): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value))
    reject(param, `${param} must be a string or an array of content blocks, got ${describe(value)}`);
  const blocks = expectArray(value, param);
  blocks.forEach((item, index) => checkBlock(item, `${param}[${index}]`, allowed));
}

function checkBlock(value: unknown, param: string, allowed: readonly string[]): void {
  const block = expectRecord(value, param);
  const type = expectOneOf(block.type, `${param}.type`, allowed);
  if (isPresent(block.cache_control)) checkCacheControl(block.cache_control, `${param}.cache_control`);
  switch (type) {
    case 'text':
      expectString(block.text, `${param}.text`);
      return;
    case 'image':
      checkImageSource(block.source, `${param}.source`);
      return;
    case 'document':
      expectRecord(block.source, `${param}.source`);
      return;
    case 'tool_use':
      expectNonEmptyString(block.id, `${param}.id`);
      expectNonEmptyString(block.name, `${param}.name`);
      expectRecord(block.input, `${param}.input`);
      return;
    case 'tool_result':
      expectNonEmptyString(block.tool_use_id, `${param}.tool_use_id`);
      if (isPresent(block.content)) checkContent(block.content, `${param}.content`, toolResultBlockTypes);
      if (isPresent(block.is_error)) expectBoolean(block.is_error, `${param}.is_error`);
      return;
    case 'thinking':
      expectString(block.thinking, `${param}.thinking`);
      return;
    case 'redacted_thinking':
      expectString(block.data, `${param}.data`);
      return;
    default:
      return;
  }
}

function checkImageSource(value: unknown, param: string): void {
  const source = expectRecord(value, param);
  const type = expectOneOf(source.type, `${param}.type`, ['base64', 'url', 'file']);
  if (type === 'base64') {
    expectNonEmptyString(source.media_type, `${param}.media_type`);
    expectString(source.data, `${param}.data`);
  } else if (type === 'url') {
    expectNonEmptyString(source.url, `${param}.url`);
  } else {
    expectNonEmptyString(source.file_id, `${param}.file_id`);
  }
}
