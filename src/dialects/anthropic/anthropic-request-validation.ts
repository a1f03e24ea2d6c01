import type { Validation } from '../codec.js';
import {
  expectArray,
  expectBoolean,
  expectIntegerInRange,
  expectModelName,
  expectNonEmptyString,
  expectNumberInRange,
  expectOneOf,
  expectRecord,
  expectSchema,
  expectString,
  expectStringArray,
  includesUsage,
  isPresent,
  maximumOutputTokens,
  validate,
} from '../shared/validation.js';
import {
  checkAnthropicMessages,
  checkAnthropicSystem,
  checkCacheControl,
} from './anthropic-content-validation.js';
import { checkOutputFormat } from './anthropic-structured-output.js';

/**
 * Cheap structural validation of a Messages request (Anthropic `CreateMessageParams`). Unknown
 * fields (`thinking`, `service_tier`, beta parameters) are allowed and pass through; structured
 * output (`output_config.format`, `output_format`) is checked, because translation acts on it.
 */
export function validateAnthropicChatRequest(body: Record<string, unknown>): Validation {
  return validate(() => {
    expectRecord(body, 'body');
    const model = expectModelName(body.model, 'model');
    const messageCount = checkAnthropicMessages(body.messages);
    const maxOutputTokens = expectIntegerInRange(body.max_tokens, 'max_tokens', 1, maximumOutputTokens);
    if (isPresent(body.system)) checkAnthropicSystem(body.system);
    const stream = isPresent(body.stream) && expectBoolean(body.stream, 'stream');
    if (isPresent(body.temperature)) expectNumberInRange(body.temperature, 'temperature', 0, 1);
    if (isPresent(body.top_p)) expectNumberInRange(body.top_p, 'top_p', 0, 1);
    if (isPresent(body.top_k)) expectIntegerInRange(body.top_k, 'top_k', 0, Number.MAX_SAFE_INTEGER);
    if (isPresent(body.stop_sequences)) expectStringArray(body.stop_sequences, 'stop_sequences');
    const toolCount = isPresent(body.tools) ? checkTools(body.tools) : 0;
    if (isPresent(body.tool_choice)) checkToolChoice(body.tool_choice);
    checkOutputFormat(body);
    if (isPresent(body.metadata)) {
      const metadata = expectRecord(body.metadata, 'metadata');
      if (isPresent(metadata.user_id)) expectString(metadata.user_id, 'metadata.user_id');
    }
    // `includeUsage` is OpenAI's switch; read the same way here, as it was before the summary.
    return {
      model,
      stream,
      includeUsage: includesUsage(body, stream),
      maxOutputTokens,
      choices: 1,
      hasTools: toolCount > 0,
      messageCount,
    };
  });
}

function checkTools(value: unknown): number {
  const tools = expectArray(value, 'tools');
  tools.forEach((item, index) => {
    const param = `tools[${index}]`;
    const tool = expectRecord(item, param);
    expectNonEmptyString(tool.name, `${param}.name`);
    if (isPresent(tool.cache_control)) checkCacheControl(tool.cache_control, `${param}.cache_control`);
    // Server tools (`bash_20250124`, `web_search_20250305`, ...) are configured by their type alone.
    if (isPresent(tool.type) && tool.type !== 'custom') {
      expectNonEmptyString(tool.type, `${param}.type`);
      return;
    }
    expectSchema(tool.input_schema, `${param}.input_schema`);
    if (isPresent(tool.description)) expectString(tool.description, `${param}.description`);
  });
  return tools.length;
}

function checkToolChoice(value: unknown): void {
  const choice = expectRecord(value, 'tool_choice');
  const type = expectOneOf(choice.type, 'tool_choice.type', ['auto', 'any', 'tool', 'none']);
  if (type === 'tool') expectNonEmptyString(choice.name, 'tool_choice.name');
  if (isPresent(choice.disable_parallel_tool_use)) {
    expectBoolean(choice.disable_parallel_tool_use, 'tool_choice.disable_parallel_tool_use');
  }
}
