import {
  describe,
  expectArray,
  expectNonEmptyArray,
  expectNonEmptyString,
  expectOneOf,
  expectRecord,
  expectString,
  isPresent,
  reject,
} from '../shared/validation.js';

export const openaiRoles = ['system', 'developer', 'user', 'assistant', 'tool', 'function'] as const;

/** Content part types each role may send (OpenAI `ChatCompletionRequest*MessageContentPart`). */
const partTypesByRole = {
  system: ['text'],
  developer: ['text'],
  user: ['text', 'image_url', 'input_audio', 'file'],
  assistant: ['text', 'refusal'],
  tool: ['text'],
} as const;

/** `messages`: a non-empty array of objects, each valid for its role; returns how many. */
export function checkOpenaiMessages(value: unknown): number {
  const messages = expectNonEmptyArray(value, 'messages');
  messages.forEach((message, index) => checkMessage(message, `messages[${index}]`));
  return messages.length;
}

function checkMessage(value: unknown, param: string): void {
  const message = expectRecord(value, param);
  const role = expectOneOf(message.role, `${param}.role`, openaiRoles);
  if (isPresent(message.name)) expectString(message.name, `${param}.name`);
  switch (role) {
    case 'system':
    case 'developer':
    case 'user':
      checkContent(message.content, `${param}.content`, partTypesByRole[role]);
      return;
    case 'tool':
      checkContent(message.content, `${param}.content`, partTypesByRole.tool);
      expectNonEmptyString(message.tool_call_id, `${param}.tool_call_id`);
      return;
    case 'assistant':
      checkAssistant(message, param);
      return;
    case 'function':
      expectNonEmptyString(message.name, `${param}.name`);
      if (isPresent(message.content)) expectString(message.content, `${param}.content`);
      return;
  }
}

function checkAssistant(message: Record<string, unknown>, param: string): void {
  const hasCalls = isPresent(message.tool_calls) || isPresent(message.function_call);
  // Content may be omitted only when the turn is a tool call (OpenAI: "required unless tool_calls").
  if (isPresent(message.content) || !hasCalls) {
    checkContent(message.content, `${param}.content`, partTypesByRole.assistant);
  }
  if (isPresent(message.refusal)) expectString(message.refusal, `${param}.refusal`);
  if (isPresent(message.tool_calls)) {
    const calls = expectArray(message.tool_calls, `${param}.tool_calls`);
    calls.forEach((call, index) => checkToolCall(call, `${param}.tool_calls[${index}]`));
  }
  if (isPresent(message.function_call)) {
    const call = expectRecord(message.function_call, `${param}.function_call`);
    expectNonEmptyString(call.name, `${param}.function_call.name`);
    expectString(call.arguments, `${param}.function_call.arguments`);
  }
}

function checkToolCall(value: unknown, param: string): void {
  const call = expectRecord(value, param);
  expectNonEmptyString(call.id, `${param}.id`);
  const type = expectOneOf(call.type, `${param}.type`, ['function', 'custom']);
  const body = expectRecord(call[type], `${param}.${type}`);
  expectNonEmptyString(body.name, `${param}.${type}.name`);
  if (type === 'function') expectString(body.arguments, `${param}.function.arguments`);
  else expectString(body.input, `${param}.custom.input`);
}

function checkContent(value: unknown, param: string, partTypes: readonly string[]): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value)) {
    reject(param, `${param} must be a string or an array of content parts, got ${describe(value)}`);
  }
  const parts = expectNonEmptyArray(value, param);
  parts.forEach((part, index) => checkPart(part, `${param}[${index}]`, partTypes));
}

function checkPart(value: unknown, param: string, partTypes: readonly string[]): void {
  const part = expectRecord(value, param);
  const type = expectOneOf(part.type, `${param}.type`, partTypes);
  switch (type) {
    case 'text':
      expectString(part.text, `${param}.text`);
      return;
    case 'refusal':
      expectString(part.refusal, `${param}.refusal`);
      return;
    case 'image_url': {
      const image = expectRecord(part.image_url, `${param}.image_url`);
      expectNonEmptyString(image.url, `${param}.image_url.url`);
      if (isPresent(image.detail)) expectString(image.detail, `${param}.image_url.detail`);
      return;
    }
    case 'input_audio': {
      const audio = expectRecord(part.input_audio, `${param}.input_audio`);
      expectString(audio.data, `${param}.input_audio.data`);
      expectString(audio.format, `${param}.input_audio.format`);
      return;
    }
    case 'file':
      expectRecord(part.file, `${param}.file`);
      return;
  }
}
