import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest, TextPart, ToolDefinition } from '../llm/index.js';
import { codecs } from './index.js';

/**
 * Requests: decode(encode(x)) = x for every canonical request a dialect can express. Each dialect
 * has its own generator; what a dialect cannot carry (cache control for OpenAI, `n` for
 * Anthropic, ...) is tested as a deliberate loss in the codec unit tests instead.
 */

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const identifier = fc.stringMatching(/^[a-zA-Z0-9_-]{1,24}$/);
const jsonObject = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 });
const argumentsText = jsonObject.map((value) => JSON.stringify(value));
const fraction = (maximum: number) => fc.integer({ min: 0, max: maximum * 100 }).map((value) => value / 100);
const cacheControl = fc.constantFrom(
  { type: 'ephemeral' as const },
  { type: 'ephemeral' as const, ttl: '1h' },
);
const imageSource = fc.oneof(
  fc.record({ kind: fc.constant('url' as const), url: fc.webUrl() }),
  fc.record({
    kind: fc.constant('base64' as const),
    mediaType: fc.constantFrom('image/png', 'image/jpeg', 'image/webp'),
    data: fc.base64String({ minLength: 4, maxLength: 16 }),
  }),
);
const toolCall = (withCache: boolean) =>
  fc.record(
    {
      type: fc.constant('tool_call' as const),
      id: identifier,
      name: identifier,
      arguments: argumentsText,
      ...(withCache ? { cacheControl } : {}),
    },
    { requiredKeys: ['type', 'id', 'name', 'arguments'] },
  );
const openaiTool: fc.Arbitrary<ToolDefinition> = fc.record(
  { name: identifier, description: text, parameters: jsonObject, strict: fc.boolean() },
  { requiredKeys: ['name', 'parameters'] },
);
const anthropicTool: fc.Arbitrary<ToolDefinition> = fc.record(
  { name: identifier, description: text, parameters: jsonObject, cacheControl },
  { requiredKeys: ['name', 'parameters'] },
);
const toolsAndChoice = (tool: fc.Arbitrary<ToolDefinition>, parallelValues: readonly boolean[]) =>
  fc.oneof(
    fc.constant({}),
    fc.record(
      {
        tools: fc.array(tool, { minLength: 1, maxLength: 3 }),
        toolChoice: fc.oneof(
          fc.constant({ type: 'auto' as const }),
          fc.constant({ type: 'required' as const }),
          identifier.map((name) => ({ type: 'tool' as const, name })),
        ),
        parallelToolCalls: fc.constantFrom(...parallelValues),
      },
      { requiredKeys: ['tools'] },
    ),
  );

const anthropicText = fc.record(
  { type: fc.constant('text' as const), text, cacheControl },
  { requiredKeys: ['type', 'text'] },
);
const anthropicImage = fc.record(
  { type: fc.constant('image' as const), source: imageSource, cacheControl },
  { requiredKeys: ['type', 'source'] },
);
const anthropicMessage: fc.Arbitrary<ChatMessage> = fc.oneof(
  fc.record({
    role: fc.constant('user' as const),
    content: fc.array(
      fc.oneof(
        anthropicText,
        anthropicImage,
        fc.record(
          {
            type: fc.constant('tool_result' as const),
            toolCallId: identifier,
            content: fc.array(fc.oneof(anthropicText, anthropicImage), { maxLength: 3 }),
            isError: fc.boolean(),
            cacheControl,
          },
          { requiredKeys: ['type', 'toolCallId', 'content'] },
        ),
      ),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    role: fc.constant('assistant' as const),
    content: fc.array(fc.oneof(anthropicText, toolCall(true)), { maxLength: 4 }),
  }),
);
const anthropicRequest: fc.Arbitrary<ChatRequest> = fc
  .tuple(
    fc.record(
      {
        model: fc.constant('canonical'),
        system: fc.array(anthropicText, { maxLength: 3 }),
        messages: fc.array(anthropicMessage, { minLength: 1, maxLength: 5 }),
        maxTokens: fc.integer({ min: 1, max: 100_000 }),
        temperature: fraction(1),
        topP: fraction(1),
        topK: fc.integer({ min: 0, max: 500 }),
        stop: fc.array(text, { maxLength: 3 }),
        stream: fc.boolean(),
        user: text,
      },
      { requiredKeys: ['model', 'system', 'messages', 'maxTokens', 'stream'] },
    ),
    toolsAndChoice(anthropicTool, [false]),
  )
  // `disable_parallel_tool_use` lives in `tool_choice`, so it brings the default choice, auto, along.
  .map(([request, tools]) => ({
    ...request,
    ...tools,
    ...('parallelToolCalls' in tools && !('toolChoice' in tools)
      ? { toolChoice: { type: 'auto' as const } }
      : {}),
  }));

const openaiText = fc.record({ type: fc.constant('text' as const), text: fc.string({ maxLength: 12 }) });
const openaiUser = fc.record(
  {
    role: fc.constant('user' as const),
    content: fc.array(
      fc.oneof(
        openaiText,
        fc.record(
          {
            type: fc.constant('image' as const),
            source: imageSource,
            detail: fc.constantFrom('low', 'high', 'auto'),
          },
          { requiredKeys: ['type', 'source'] },
        ),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    name: identifier,
  },
  { requiredKeys: ['role', 'content'] },
);
const openaiToolResults = fc.record({
  role: fc.constant('user' as const),
  content: fc.array(
    fc.record({
      type: fc.constant('tool_result' as const),
      toolCallId: identifier,
      content: fc.array(openaiText, { minLength: 1, maxLength: 2 }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});
const openaiAssistant = fc
  .record(
    {
      texts: fc.array(openaiText, { maxLength: 2 }),
      calls: fc.array(toolCall(false), { maxLength: 3 }),
      name: identifier,
    },
    { requiredKeys: ['texts', 'calls'] },
  )
  // OpenAI requires an assistant turn to say something or call something.
  .filter(({ texts, calls }) => texts.length + calls.length > 0)
  .map(({ texts, calls, name }): ChatMessage => ({
    role: 'assistant',
    content: [...texts, ...calls],
    ...(name === undefined ? {} : { name }),
  }));

/** Consecutive OpenAI tool messages form one turn, so generated tool-result turns never touch. */
function mergeToolTurns(messages: readonly ChatMessage[]): ChatMessage[] {
  const isToolTurn = (message: ChatMessage | undefined) =>
    message?.role === 'user' &&
    message.content.length > 0 &&
    message.content.every((part) => part.type === 'tool_result');
  const merged: ChatMessage[] = [];
  for (const message of messages) {
    const last = merged.at(-1);
    if (last !== undefined && isToolTurn(last) && isToolTurn(message)) {
      merged[merged.length - 1] = { role: 'user', content: [...last.content, ...message.content] };
    } else merged.push(message);
  }
  return merged;
}

const openaiRequest: fc.Arbitrary<ChatRequest> = fc
  .tuple(
    fc.record(
      {
        model: fc.constant('canonical'),
        system: fc.array<TextPart>(openaiText, { maxLength: 3 }),
        messages: fc
          .array(fc.oneof(openaiUser, openaiToolResults, openaiAssistant), { minLength: 1, maxLength: 6 })
          .map(mergeToolTurns),
        maxTokens: fc.integer({ min: 1, max: 100_000 }),
        temperature: fraction(2),
        topP: fraction(1),
        stop: fc.array(text, { minLength: 1, maxLength: 4 }),
        n: fc.integer({ min: 1, max: 128 }),
        seed: fc.integer(),
        responseFormat: fc.oneof(
          fc.constant({ type: 'text' as const }),
          fc.constant({ type: 'json_object' as const }),
          fc.record(
            {
              type: fc.constant('json_schema' as const),
              name: identifier,
              schema: jsonObject,
              strict: fc.boolean(),
            },
            { requiredKeys: ['type', 'name', 'schema'] },
          ),
        ),
        stream: fc.boolean(),
        user: text,
      },
      { requiredKeys: ['model', 'system', 'messages', 'stream'] },
    ),
    toolsAndChoice(openaiTool, [true, false]),
  )
  // A streaming upstream is always asked for usage, so a decoded stream request has it on.
  .map(([request, tools]) => ({ ...request, ...tools, ...(request.stream ? { includeUsage: true } : {}) }));

describe('request round trip through the wire', () => {
  it.each([
    ['openai', openaiRequest],
    ['anthropic', anthropicRequest],
  ] as const)('%s: decode(encode(request)) keeps everything the dialect can express', (dialect, requests) => {
    fc.assert(
      fc.property(requests, (request) => {
        const wire = codecs[dialect].encodeChatRequest(request, 'upstream-model');
        expect(codecs[dialect].validateChatRequest(wire)).toMatchObject({ ok: true });
        expect(codecs[dialect].decodeChatRequest(wire)).toEqual({ ...request, model: 'upstream-model' });
      }),
      { numRuns: 300 },
    );
  });
});
