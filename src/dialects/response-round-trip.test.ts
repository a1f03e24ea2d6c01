import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ChatResponse, ChatStreamEvent, Dialect, FinishReason } from '../llm/index.js';
import { codecs, SseParser } from './index.js';

/**
 * Responses and streams: decode(encode(x)) = x for every canonical response a dialect can express,
 * and a stream encoded, split into arbitrary byte chunks and decoded again gives the same answer.
 */

const text = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 });
const identifier = fc.stringMatching(/^[a-zA-Z0-9_-]{1,24}$/);
const argumentsText = fc
  .dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })
  .map((value) => JSON.stringify(value));
const toolCall = fc.record({
  type: fc.constant('tool_call' as const),
  id: identifier,
  name: identifier,
  arguments: argumentsText,
});

const usage = fc
  .record({ raw: fc.nat(10_000), cached: fc.nat(10_000), creation: fc.nat(10_000), output: fc.nat(10_000) })
  .map(({ raw, cached, creation, output }) => ({
    inputTokens: raw + cached + creation,
    outputTokens: output,
    cachedInputTokens: cached,
    cacheCreationInputTokens: creation,
  }));

const openaiResponse: fc.Arbitrary<ChatResponse> = fc.record(
  {
    id: identifier.map((id) => `chatcmpl-${id}`),
    model: identifier,
    created: fc.nat(),
    choices: fc
      .array(
        fc.record(
          {
            content: fc
              .tuple(fc.option(text, { nil: undefined }), fc.array(toolCall, { maxLength: 2 }))
              .map(([answer, calls]) => [
                ...(answer === undefined ? [] : [{ type: 'text' as const, text: answer }]),
                ...calls,
              ]),
            finishReason: fc.constantFrom<FinishReason | null>(
              'end',
              'max_tokens',
              'tool_use',
              'content_filter',
              null,
            ),
            refusal: text,
          },
          { requiredKeys: ['content', 'finishReason'] },
        ),
        { minLength: 1, maxLength: 3 },
      )
      .map((choices) => choices.map((choice, index) => ({ index, ...choice }))),
    usage,
    systemFingerprint: identifier,
  },
  { requiredKeys: ['id', 'model', 'created', 'choices'] },
);

const anthropicResponse: fc.Arbitrary<ChatResponse> = fc.record({
  id: identifier.map((id) => `msg_${id}`),
  model: identifier,
  created: fc.constant(1_767_225_600),
  choices: fc
    .record({
      content: fc.array(fc.oneof(fc.record({ type: fc.constant('text' as const), text }), toolCall), {
        maxLength: 3,
      }),
      finish: fc.oneof(
        fc
          .constantFrom<FinishReason | null>('end', 'max_tokens', 'tool_use', 'refusal', null)
          .map((finishReason) => ({ finishReason })),
        text.map((stopSequence) => ({ finishReason: 'stop_sequence' as const, stopSequence })),
      ),
    })
    .map(({ content, finish }) => [{ index: 0, content, ...finish }]),
  usage,
});

describe('response round trip through the wire', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each([
    ['openai', openaiResponse],
    ['anthropic', anthropicResponse],
  ] as const)(
    '%s: decode(encode(response)) keeps everything the dialect can express',
    (dialect, responses) => {
      fc.assert(
        fc.property(responses, (response) => {
          const wire = codecs[dialect].encodeChatResponse(response);
          expect(codecs[dialect].decodeChatResponse(JSON.parse(JSON.stringify(wire)))).toEqual(response);
          expect(codecs[dialect].usageOfChatResponse(Buffer.from(JSON.stringify(wire)))).toEqual({
            ok: true,
            usage: response.usage,
          });
        }),
        { numRuns: 300 },
      );
    },
  );
});

interface Answer {
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish?: FinishReason;
  stopSequence?: string;
  usage?: unknown;
  ended: boolean;
}

function summarize(events: readonly ChatStreamEvent[]): Answer {
  const answer: Answer = { text: '', toolCalls: [], ended: false };
  for (const event of events) {
    if (event.type === 'text') answer.text += event.text;
    if (event.type === 'tool_call_start')
      answer.toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
    if (event.type === 'tool_call_delta') answer.toolCalls[event.index]!.arguments += event.arguments;
    if (event.type === 'finish') {
      answer.finish = event.reason;
      if (event.stopSequence !== undefined) answer.stopSequence = event.stopSequence;
    }
    if (event.type === 'usage') answer.usage = event.usage;
    if (event.type === 'end') answer.ended = true;
  }
  return answer;
}

const segment = fc.oneof(
  text.map((value) => ({ kind: 'text' as const, value })),
  fc.record({
    kind: fc.constant('tool' as const),
    id: identifier,
    name: identifier,
    pieces: fc.array(text, { maxLength: 4 }),
  }),
);

function streamOf(finishes: readonly FinishReason[]): fc.Arbitrary<ChatStreamEvent[]> {
  return fc
    .record({
      segments: fc.array(segment, { maxLength: 6 }),
      reason: fc.constantFrom(...finishes),
      stopSequence: text,
      usage,
    })
    .map(({ segments, reason, stopSequence, usage: total }) => {
      const events: ChatStreamEvent[] = [{ type: 'start', id: 'x', model: 'm', created: 1 }];
      let tools = 0;
      for (const part of segments) {
        if (part.kind === 'text') events.push({ type: 'text', choice: 0, text: part.value });
        else {
          const index = tools++;
          events.push({ type: 'tool_call_start', choice: 0, index, id: part.id, name: part.name });
          for (const piece of part.pieces)
            events.push({ type: 'tool_call_delta', choice: 0, index, arguments: piece });
        }
      }
      const finish = reason === 'stop_sequence' ? { stopSequence } : {};
      events.push(
        { type: 'finish', choice: 0, reason, ...finish },
        { type: 'usage', usage: total },
        { type: 'end' },
      );
      return events;
    });
}

describe('stream round trip through the wire', () => {
  const finishes: Record<Dialect, FinishReason[]> = {
    openai: ['end', 'max_tokens', 'tool_use', 'content_filter'],
    anthropic: ['end', 'max_tokens', 'tool_use', 'stop_sequence', 'refusal'],
  };

  it.each(['openai', 'anthropic'] as const)(
    '%s: decoding the encoded stream gives the same answer',
    (dialect) => {
      fc.assert(
        fc.property(streamOf(finishes[dialect]), fc.integer({ min: 1, max: 64 }), (events, sliceBytes) => {
          const encoder = codecs[dialect].createStreamEncoder({ includeUsage: true, model: 'm' });
          const bytes = new TextEncoder().encode(events.map((event) => encoder.encode(event)).join(''));
          const parser = new SseParser();
          const decoder = codecs[dialect].createStreamDecoder();
          const decoded: ChatStreamEvent[] = [];
          for (let at = 0; at < bytes.length; at += sliceBytes) {
            for (const event of parser.push(bytes.subarray(at, at + sliceBytes)))
              decoded.push(...decoder.decode(event));
          }
          expect(summarize(decoded)).toEqual(summarize(events));
        }),
        { numRuns: 300 },
      );
    },
  );
});
