import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { codecs, SseParser, type SseEvent } from '../src/dialects/index.js';
import type { ChatStreamEvent, Dialect, FinishReason, Usage } from '../src/llm/index.js';

/**
 * Translation between the dialects, replayed from wire fixtures (test/fixtures/wire, see its
 * README): requests and responses must match hand-written expected translations exactly; streams
 * re-encoded in the other dialect must add up to the same text, tool calls, finish and usage.
 */

type Body = Record<string, unknown> & { readonly model: string };

function read(path: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/wire/${path}`, import.meta.url), 'utf8'));
}

const fixture = (path: string) => read(path) as Body;
const fixtureBytes = (path: string) => readFileSync(new URL(`./fixtures/wire/${path}`, import.meta.url));

const other = (dialect: Dialect): Dialect => (dialect === 'openai' ? 'anthropic' : 'openai');

describe('request translation', () => {
  const openaiRequest = fixture('openai/chat-request-tools.json');
  const anthropicRequest = fixture('anthropic/messages-request-tools.json');
  const cachedRequest = fixture('anthropic/messages-request-cache-control.json');

  it('accepts every request fixture as valid in its own dialect', () => {
    expect(codecs.openai.validateChatRequest(openaiRequest)).toMatchObject({ ok: true });
    expect(codecs.anthropic.validateChatRequest(anthropicRequest)).toMatchObject({ ok: true });
    expect(codecs.anthropic.validateChatRequest(cachedRequest)).toMatchObject({ ok: true });
    const translated = fixture('translated/messages-request-cache-control.openai.json');
    expect(codecs.openai.validateChatRequest(translated)).toMatchObject({ ok: true });
  });

  it('turns an OpenAI request with system prompt, images and tool turns into the Anthropic one', () => {
    const canonical = codecs.openai.decodeChatRequest(openaiRequest);
    expect(codecs.anthropic.encodeChatRequest(canonical, anthropicRequest.model)).toEqual(anthropicRequest);
  });

  it('turns the Anthropic request back into the OpenAI one', () => {
    const canonical = codecs.anthropic.decodeChatRequest(anthropicRequest);
    expect(codecs.openai.encodeChatRequest(canonical, openaiRequest.model)).toEqual(openaiRequest);
  });

  it('turns an Anthropic request with prompt caching and tool-result images into OpenAI form', () => {
    const canonical = codecs.anthropic.decodeChatRequest(cachedRequest);
    const expected = fixture('translated/messages-request-cache-control.openai.json');
    expect(codecs.openai.encodeChatRequest(canonical, 'gpt-4o')).toEqual(expected);
  });

  it('keeps cache_control on system, message and tool blocks through canonical form', () => {
    const canonical = codecs.anthropic.decodeChatRequest(cachedRequest);
    expect(codecs.anthropic.encodeChatRequest(canonical, cachedRequest.model)).toEqual(cachedRequest);
  });
});

describe('response translation', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('turns an OpenAI tool-call response with cached tokens into an Anthropic message', () => {
    const canonical = codecs.openai.decodeChatResponse(fixture('openai/chat-response-tool-calls.json'));
    const expected = fixture('translated/chat-response-tool-calls.anthropic.json');
    expect(codecs.anthropic.encodeChatResponse(canonical)).toEqual(expected);
  });

  it('turns an Anthropic tool-use message with cache reads and writes into an OpenAI completion', () => {
    const canonical = codecs.anthropic.decodeChatResponse(
      fixture('anthropic/message-response-tool-use.json'),
    );
    const expected = fixture('translated/message-response-tool-use.openai.json');
    expect(codecs.openai.encodeChatResponse(canonical)).toEqual(expected);
  });

  it('reads usage without decoding, counting cached input tokens as input', () => {
    const openai = codecs.openai.usageOfChatResponse(fixtureBytes('openai/chat-response-tool-calls.json'));
    expect(openai).toEqual({
      ok: true,
      usage: {
        inputTokens: 2006,
        outputTokens: 58,
        cachedInputTokens: 1920,
        cacheCreationInputTokens: 0,
      },
    });
    const anthropic = codecs.anthropic.usageOfChatResponse(
      fixtureBytes('anthropic/message-response-tool-use.json'),
    );
    expect(anthropic).toEqual({
      ok: true,
      usage: {
        inputTokens: 25 + 3100 + 1400,
        outputTokens: 71,
        cachedInputTokens: 3100,
        cacheCreationInputTokens: 1400,
      },
    });
  });
});

interface StreamFixture {
  readonly events: readonly { readonly event?: string; readonly data: unknown }[];
  readonly expected: {
    readonly text: string;
    readonly toolCalls?: readonly { id: string; name: string; arguments: string }[];
    readonly finish: string;
    readonly stopSequence?: string;
    readonly usage: Record<string, number>;
  };
}

interface Summary {
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: FinishReason | undefined;
  stopSequence: string | undefined;
  usage: Usage | undefined;
  ended: boolean;
}

function render(events: StreamFixture['events']): string {
  return events
    .map(({ event, data }) => {
      const payload = typeof data === 'string' ? data : JSON.stringify(data);
      return event === undefined ? `data: ${payload}\n\n` : `event: ${event}\ndata: ${payload}\n\n`;
    })
    .join('');
}

/** Splits the wire bytes into small slices, so multi-byte characters straddle network chunks. */
function parse(wire: string, sliceBytes = 5): SseEvent[] {
  const bytes = new TextEncoder().encode(wire);
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (let at = 0; at < bytes.length; at += sliceBytes)
    events.push(...parser.push(bytes.subarray(at, at + sliceBytes)));
  events.push(...parser.end());
  return events;
}

function decode(dialect: Dialect, wire: string): ChatStreamEvent[] {
  const decoder = codecs[dialect].createStreamDecoder();
  return parse(wire).flatMap((event) => decoder.decode(event));
}

function summarize(events: readonly ChatStreamEvent[]): Summary {
  const summary: Summary = {
    text: '',
    toolCalls: [],
    finish: undefined,
    stopSequence: undefined,
    usage: undefined,
    ended: false,
  };
  for (const event of events) {
    if (event.type === 'text') summary.text += event.text;
    if (event.type === 'tool_call_start')
      summary.toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
    if (event.type === 'tool_call_delta') summary.toolCalls[event.index]!.arguments += event.arguments;
    if (event.type === 'finish') {
      summary.finish = event.reason;
      summary.stopSequence = event.stopSequence;
    }
    if (event.type === 'usage') summary.usage = event.usage;
    if (event.type === 'end') summary.ended = true;
  }
  return summary;
}

/** The fixture's expectation, stated in its own dialect's terms, in canonical terms. */
function expectedSummary(dialect: Dialect, expected: StreamFixture['expected']): Summary {
  const usage = expected.usage;
  const finishes: Record<string, FinishReason> = {
    stop: 'end',
    tool_calls: 'tool_use',
    end_turn: 'end',
    stop_sequence: 'stop_sequence',
    tool_use: 'tool_use',
  };
  return {
    text: expected.text,
    toolCalls: [...(expected.toolCalls ?? [])],
    finish: finishes[expected.finish],
    stopSequence: expected.stopSequence,
    usage:
      dialect === 'openai'
        ? {
            inputTokens: usage.prompt_tokens!,
            outputTokens: usage.completion_tokens!,
            cachedInputTokens: usage.cached_tokens!,
            cacheCreationInputTokens: 0,
          }
        : {
            inputTokens:
              usage.input_tokens! + usage.cache_read_input_tokens! + usage.cache_creation_input_tokens!,
            outputTokens: usage.output_tokens!,
            cachedInputTokens: usage.cache_read_input_tokens!,
            cacheCreationInputTokens: usage.cache_creation_input_tokens!,
          },
    ended: true,
  };
}

interface OpenaiChunk {
  readonly id: string;
  readonly created: number;
  readonly choices: readonly { readonly delta: { readonly role?: string } }[];
}

function checkOpenaiFrames(wire: string): void {
  const events = parse(wire);
  expect(events.at(-1)).toEqual({ data: '[DONE]' });
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as OpenaiChunk);
  const first = chunks[0]!;
  expect(first.choices[0]!.delta.role).toBe('assistant');
  for (const chunk of chunks) {
    expect(chunk).toMatchObject({
      id: first.id,
      created: first.created,
      model: 'caller-model',
      object: 'chat.completion.chunk',
    });
  }
  expect(first.id).toMatch(/^chatcmpl-/);
  expect(chunks.at(-1)!.choices).toEqual([]);
}

function checkAnthropicFrames(wire: string): void {
  const events = parse(wire).map((event) => ({ name: event.event, data: JSON.parse(event.data) }));
  expect(events[0]!.name).toBe('message_start');
  expect(events[0]!.data.message).toMatchObject({
    type: 'message',
    role: 'assistant',
    model: 'caller-model',
    content: [],
  });
  expect(events.at(-1)!.name).toBe('message_stop');
  expect(events.at(-2)!.name).toBe('message_delta');
  let open: number | undefined;
  let next = 0;
  for (const { name, data } of events) {
    expect(data.type).toBe(name);
    if (name === 'content_block_start') {
      expect(open).toBeUndefined();
      expect(data.index).toBe(next);
      open = next++;
    }
    if (name === 'content_block_delta') expect(data.index).toBe(open);
    if (name === 'content_block_stop') {
      expect(data.index).toBe(open);
      open = undefined;
    }
  }
  expect(open).toBeUndefined();
}

describe('stream translation', () => {
  const cases: {
    path: string;
    dialect: Dialect;
    finishAfterTranslation: FinishReason;
    stopSequenceSurvives: boolean;
  }[] = [
    {
      path: 'openai/chat-stream-text.json',
      dialect: 'openai',
      finishAfterTranslation: 'end',
      stopSequenceSurvives: true,
    },
    {
      path: 'openai/chat-stream-tool-calls.json',
      dialect: 'openai',
      finishAfterTranslation: 'tool_use',
      stopSequenceSurvives: true,
    },
    // OpenAI cannot say which stop sequence matched: it reports a plain `stop`.
    {
      path: 'anthropic/message-stream-text.json',
      dialect: 'anthropic',
      finishAfterTranslation: 'end',
      stopSequenceSurvives: false,
    },
    {
      path: 'anthropic/message-stream-tool-use.json',
      dialect: 'anthropic',
      finishAfterTranslation: 'tool_use',
      stopSequenceSurvives: true,
    },
  ];

  for (const { path, dialect, finishAfterTranslation, stopSequenceSurvives } of cases) {
    describe(path, () => {
      const stream = read(path) as StreamFixture;
      const wire = render(stream.events);
      const expected = expectedSummary(dialect, stream.expected);

      it('decodes to the text, tool calls, finish and usage the fixture states', () => {
        expect(summarize(decode(dialect, wire))).toEqual(expected);
      });

      it(`re-encoded for ${other(dialect)} clients, adds up to the same answer`, () => {
        const target = other(dialect);
        const encoder = codecs[target].createStreamEncoder({ includeUsage: true, model: 'caller-model' });
        const translated = decode(dialect, wire)
          .map((event) => encoder.encode(event))
          .join('');
        if (target === 'openai') checkOpenaiFrames(translated);
        else checkAnthropicFrames(translated);
        expect(summarize(decode(target, translated))).toEqual({
          ...expected,
          finish: finishAfterTranslation,
          stopSequence: stopSequenceSurvives ? expected.stopSequence : undefined,
        });
      });
    });
  }
});
