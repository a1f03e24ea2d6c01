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
  reject,
  validate,
} from '../shared/validation.js';
import { checkOpenaiMessages } from './openai-message-validation.js';

/**
 * Cheap structural validation of a Chat Completions request (OpenAI `CreateChatCompletionRequest`).
 * Unknown fields are allowed: they pass through to OpenAI-compatible targets untouched.
 */
export function validateOpenaiChatRequest(body: Record<string, unknown>): Validation {
  return validate(() => {
    expectRecord(body, 'body');
    const model = expectModelName(body.model, 'model');
    const messageCount = checkOpenaiMessages(body.messages);
    const stream = isPresent(body.stream) && expectBoolean(body.stream, 'stream');
    if (isPresent(body.stream_options)) expectRecord(body.stream_options, 'stream_options');
    if (isPresent(body.temperature)) expectNumberInRange(body.temperature, 'temperature', 0, 2);
    if (isPresent(body.top_p)) expectNumberInRange(body.top_p, 'top_p', 0, 1);
    const choices = isPresent(body.n) ? expectIntegerInRange(body.n, 'n', 1, 128) : 1;
    const maxTokens = outputTokens(body, 'max_tokens');
    const maxCompletionTokens = outputTokens(body, 'max_completion_tokens');
    if (isPresent(body.seed))
      expectIntegerInRange(body.seed, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    if (isPresent(body.stop)) checkStop(body.stop);
    const toolCount = isPresent(body.tools) ? checkTools(body.tools) : 0;
    if (isPresent(body.tool_choice)) checkToolChoice(body.tool_choice);
    if (isPresent(body.parallel_tool_calls)) expectBoolean(body.parallel_tool_calls, 'parallel_tool_calls');
    if (isPresent(body.response_format)) checkResponseFormat(body.response_format);
    if (isPresent(body.user)) expectString(body.user, 'user');
    return {
      model,
      stream,
      includeUsage: includesUsage(body, stream),
      maxOutputTokens: maxCompletionTokens ?? maxTokens,
      choices,
      hasTools: toolCount > 0,
      messageCount,
    };
  });
}

/** `max_completion_tokens` and its deprecated spelling `max_tokens` bound the same thing. */
function outputTokens(
  body: Record<string, unknown>,
  field: 'max_tokens' | 'max_completion_tokens',
): number | undefined {
  const value = body[field];
  return isPresent(value) ? expectIntegerInRange(value, field, 1, maximumOutputTokens) : undefined;
}

function checkStop(value: unknown): void {
  if (typeof value === 'string') return;
  const stops = expectStringArray(value, 'stop');
  if (stops.length > 4) reject('stop', `stop may hold at most 4 sequences, got ${stops.length}`);
}

function checkTools(value: unknown): number {
  const tools = expectArray(value, 'tools');
  tools.forEach((item, index) => {
    const param = `tools[${index}]`;
    const tool = expectRecord(item, param);
    const type = expectOneOf(tool.type, `${param}.type`, ['function', 'custom']);
    const definition = expectRecord(tool[type], `${param}.${type}`);
    expectNonEmptyString(definition.name, `${param}.${type}.name`);
    if (isPresent(definition.description))
      expectString(definition.description, `${param}.${type}.description`);
    if (type !== 'function') return;
    if (isPresent(definition.parameters)) expectSchema(definition.parameters, `${param}.function.parameters`);
    if (isPresent(definition.strict)) expectBoolean(definition.strict, `${param}.function.strict`);
  });
  return tools.length;
}

function checkToolChoice(value: unknown): void {
  if (typeof value === 'string') {
    expectOneOf(value, 'tool_choice', ['none', 'auto', 'required']);
    return;
  }
  const choice = expectRecord(value, 'tool_choice');
  const type = expectOneOf(choice.type, 'tool_choice.type', ['function', 'custom', 'allowed_tools']);
  if (type === 'allowed_tools') {
    const allowed = expectRecord(choice.allowed_tools, 'tool_choice.allowed_tools');
    expectOneOf(allowed.mode, 'tool_choice.allowed_tools.mode', ['auto', 'required']);
    expectArray(allowed.tools, 'tool_choice.allowed_tools.tools');
    return;
  }
  const named = expectRecord(choice[type], `tool_choice.${type}`);
  expectNonEmptyString(named.name, `tool_choice.${type}.name`);
}

function checkResponseFormat(value: unknown): void {
  const format = expectRecord(value, 'response_format');
  const type = expectOneOf(format.type, 'response_format.type', ['text', 'json_object', 'json_schema']);
  if (type !== 'json_schema') return;
  const schema = expectRecord(format.json_schema, 'response_format.json_schema');
  expectNonEmptyString(schema.name, 'response_format.json_schema.name');
  if (isPresent(schema.schema)) expectSchema(schema.schema, 'response_format.json_schema.schema');
  if (isPresent(schema.strict)) expectBoolean(schema.strict, 'response_format.json_schema.strict');
}
