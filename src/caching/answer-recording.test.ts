import { describe, expect, it } from 'vitest';
import { codecs } from '../dialects/index.js';
import { parseSseBlock } from '../dialects/sse-parser.js';
import type { ChatResponse, ChatStreamEvent, Dialect, Usage } from '../llm/index.js';
import { AnswerAssembler } from './answer-assembler.js';
import { recordJsonAnswer, recordStreamAnswer, type Frame, type StreamEnding } from './answer-recorder.js';
import { chunks, replayJson, replayStream } from './answer-replay.js';

const usage: Usage = { inputTokens: 42, outputTokens: 17, cachedInputTokens: 2, cacheCreationInputTokens: 0 };

/** What an upstream answer with text and a tool call looks like as canonical events. */
function upstreamEvents(options: { withUsage?: boolean; withEnd?: boolean } = {}): ChatStreamEvent[] {
  const events: ChatStreamEvent[] = [
    { type: 'start', id: 'resp_1', model: 'gpt-4o-2024', created: 1_700_000_000 },
    { type: 'text', choice: 0, text: 'Paris is the capital ' },
    { type: 'text', choice: 0, text: 'of France. Café ☕ 🇫🇷.' },
    { type: 'tool_call_start', choice: 0, index: 0, id: 'call_1', name: 'lookup' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '{"city":' },
    { type: 'tool_call_delta', choice: 0, index: 0, arguments: '"Paris"}' },
    { type: 'finish', choice: 0, reason: 'tool_use' },
  ];
  if (options.withUsage ?? true) events.push({ type: 'usage', usage });
  if (options.withEnd ?? true) events.push({ type: 'end' });
  return events;
}

/** Frames as routing hands them over: one string per encoded event, or bytes. */
function framesOf(dialect: Dialect, events: readonly ChatStreamEvent[], asBytes = false): Frame[] {
  const encoder = codecs[dialect].createStreamEncoder({ includeUsage: true, model: 'gpt-4o' });
  return events
    .map((event) => encoder.encode(event))
    .filter((text) => text !== '')
    .map((text) => (asBytes ? new TextEncoder().encode(text) : text));
}

async function* iterate(frames: readonly Frame[]): AsyncGenerator<Frame> {
  for (const frame of frames) {
    await Promise.resolve();
    yield frame;
  }
}

async function record(
  dialect: Dialect,
  frames: readonly Frame[],
  ending: StreamEnding = { complete: true, usage: undefined },
) {
  const stored: ChatResponse[] = [];
  const recording = recordStreamAnswer({
    codec: codecs[dialect],
    frames: iterate(frames),
    ending: Promise.resolve(ending),
    maxCharacters: 100_000,
    store: (response) => {
      stored.push(response);
      return Promise.resolve({ type: 'stored' });
    },
  });
  const passed: Frame[] = [];
  for await (const frame of recording.frames) passed.push(frame);
  return { stored, passed, outcome: await recording.recorded };
}

/** Reads a replayed stream back the way a client would: the dialect's own decoder. */
function parseStream(dialect: Dialect, batches: readonly string[]): ChatResponse {
  const decoder = codecs[dialect].createStreamDecoder();
  const assembler = new AnswerAssembler(Infinity);
  for (const block of batches.join('').split('\n\n')) {
    const event = parseSseBlock(block);
    if (event !== undefined) for (const canonical of decoder.decode(event)) assembler.add(canonical);
  }
  const result = assembler.result(undefined);
  if (result.type !== 'complete') throw new Error(`replayed stream incomplete: ${result.reason}`);
  return result.response;
}

function essence(response: ChatResponse) {
  return response.choices.map((choice) => ({
    text: choice.content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(''),
    tools: choice.content.flatMap((part) =>
      part.type === 'tool_call'
        ? [{ name: part.name, arguments: JSON.parse(part.arguments) as unknown }]
        : [],
    ),
    finish: choice.finishReason,
  }));
}

const expected = [
  {
    text: 'Paris is the capital of France. Café ☕ 🇫🇷.',
    tools: [{ name: 'lookup', arguments: { city: 'Paris' } }],
    finish: 'tool_use',
  },
];

describe.each(['openai', 'anthropic'] as const)('a %s stream', (recordedIn) => {
  it.each([false, true])('is recorded whole and passed through untouched (bytes: %s)', async (asBytes) => {
    const frames = framesOf(recordedIn, upstreamEvents(), asBytes);
    const { stored, passed, outcome } = await record(recordedIn, frames);
    expect(passed).toEqual(frames);
    expect(outcome).toEqual({ type: 'stored' });
    expect(essence(stored[0]!)).toEqual(expected);
    expect(stored[0]!.usage).toEqual(usage);
  });

  it.each(['openai', 'anthropic'] as const)(
    'replays as a %s stream and as JSON with the same answer',
    async (replayIn) => {
      const { stored } = await record(recordedIn, framesOf(recordedIn, upstreamEvents()));
      const response = stored[0]!;
      const codec = codecs[replayIn];
      const streamed = parseStream(
        replayIn,
        replayStream(codec, response, { includeUsage: true, chunkCharacters: 5 }),
      );
      expect(essence(streamed)).toEqual(expected);
      expect(streamed.usage).toEqual(usage);
      const json = codec.decodeChatResponse(JSON.parse(replayJson(codec, response).toString('utf8')));
      expect(essence(json)).toEqual(expected);
      expect(json.usage).toEqual(usage);
    },
  );

  it('is not stored when it ends without its terminator', async () => {
    const { stored, outcome } = await record(
      recordedIn,
      framesOf(recordedIn, upstreamEvents({ withEnd: false })),
    );
    expect(stored).toEqual([]);
    expect(outcome).toEqual({ type: 'skipped', reason: 'no_terminator' });
  });

  it('is not stored when it carries an in-band error', async () => {
    const frames = framesOf(recordedIn, upstreamEvents({ withEnd: false }));
    const { GatewayError } = await import('../errors/index.js');
    frames.push(codecs[recordedIn].encodeStreamError(new GatewayError('stream_interrupted', 'lost')));
    const { stored, outcome } = await record(recordedIn, frames);
    expect(stored).toEqual([]);
    expect(outcome).toEqual({ type: 'skipped', reason: 'stream_error' });
  });

  it('is not stored when routing reports it incomplete', async () => {
    const { stored } = await record(recordedIn, framesOf(recordedIn, upstreamEvents()), {
      complete: false,
      usage: undefined,
    });
    expect(stored).toEqual([]);
  });

  it('is not stored when the caller stops reading', async () => {
    const stored: ChatResponse[] = [];
    const recording = recordStreamAnswer({
      codec: codecs[recordedIn],
      frames: iterate(framesOf(recordedIn, upstreamEvents())),
      ending: Promise.resolve({ complete: true, usage: undefined }),
      maxCharacters: 100_000,
      store: (response) => {
        stored.push(response);
        return Promise.resolve({ type: 'stored' });
      },
    });
    for await (const _frame of recording.frames) break;
    expect(await recording.recorded).toEqual({ type: 'skipped', reason: 'not_finished' });
    expect(stored).toEqual([]);
  });

  it('is not stored when the stream throws', async () => {
    async function* failing(): AsyncGenerator<Frame> {
      await Promise.resolve();
      yield* framesOf(recordedIn, upstreamEvents({ withEnd: false }));
      throw new Error('upstream reset');
    }
    const recording = recordStreamAnswer({
      codec: codecs[recordedIn],
      frames: failing(),
      ending: Promise.resolve({ complete: false, usage: undefined }),
      maxCharacters: 100_000,
      store: () => Promise.resolve({ type: 'stored' }),
    });
    await expect(async () => {
      for await (const _frame of recording.frames) {
        // draining
      }
    }).rejects.toThrow('upstream reset');
    expect((await recording.recorded).type).toBe('skipped');
  });

  it('is not stored when larger than the bound', async () => {
    const stored: ChatResponse[] = [];
    const recording = recordStreamAnswer({
      codec: codecs[recordedIn],
      frames: iterate(framesOf(recordedIn, upstreamEvents())),
      ending: Promise.resolve({ complete: true, usage: undefined }),
      maxCharacters: 10,
      store: (response) => {
        stored.push(response);
        return Promise.resolve({ type: 'stored' });
      },
    });
    for await (const _frame of recording.frames) {
      // draining
    }
    expect(await recording.recorded).toEqual({ type: 'skipped', reason: 'too_large' });
  });
});

describe('recording', () => {
  it('takes usage from the stream summary when the caller’s stream did not carry it', async () => {
    const { stored } = await record('openai', framesOf('openai', upstreamEvents({ withUsage: false })), {
      complete: true,
      usage,
    });
    expect(stored[0]!.usage).toEqual(usage);
  });

  it('keeps every choice of an OpenAI answer with n > 1', async () => {
    const events: ChatStreamEvent[] = [
      { type: 'start', id: 'r', model: 'gpt-4o', created: 1 },
      { type: 'text', choice: 0, text: 'Paris' },
      { type: 'text', choice: 1, text: 'Paris, France' },
      { type: 'finish', choice: 0, reason: 'end' },
      { type: 'finish', choice: 1, reason: 'max_tokens' },
      { type: 'end' },
    ];
    const { stored } = await record('openai', framesOf('openai', events));
    const replayed = parseStream(
      'openai',
      replayStream(codecs.openai, stored[0]!, { includeUsage: false, chunkCharacters: 3 }),
    );
    expect(essence(replayed).map((choice) => [choice.text, choice.finish])).toEqual([
      ['Paris', 'end'],
      ['Paris, France', 'max_tokens'],
    ]);
  });

  it('does not keep an answer stopped by a content filter', async () => {
    const events: ChatStreamEvent[] = [
      { type: 'start', id: 'r', model: 'gpt-4o', created: 1 },
      { type: 'finish', choice: 0, reason: 'content_filter' },
      { type: 'end' },
    ];
    expect((await record('openai', framesOf('openai', events))).outcome).toEqual({
      type: 'skipped',
      reason: 'not_storable_finish',
    });
  });

  it('stores a complete JSON answer and skips one without a finish reason', async () => {
    const body = {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'gpt-4o',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    };
    const stored: ChatResponse[] = [];
    const store = (response: ChatResponse) => {
      stored.push(response);
      return Promise.resolve({ type: 'stored' } as const);
    };
    expect(await recordJsonAnswer(codecs.openai, Buffer.from(JSON.stringify(body)), store)).toEqual({
      type: 'stored',
    });
    expect(stored[0]?.usage?.inputTokens).toBe(5);
    const unfinished = { ...body, choices: [{ ...body.choices[0], finish_reason: null }] };
    expect((await recordJsonAnswer(codecs.openai, JSON.stringify(unfinished), store)).type).toBe('skipped');
    expect((await recordJsonAnswer(codecs.openai, '{not json', store)).type).toBe('skipped');
  });

  it('replays the usage chunk only when the OpenAI caller asks for it', async () => {
    const { stored } = await record('openai', framesOf('openai', upstreamEvents()));
    const without = replayStream(codecs.openai, stored[0]!, {
      includeUsage: false,
      chunkCharacters: 20,
    }).join('');
    const withUsage = replayStream(codecs.openai, stored[0]!, {
      includeUsage: true,
      chunkCharacters: 20,
    }).join('');
    expect(without).not.toContain('"prompt_tokens"');
    expect(withUsage).toContain('"prompt_tokens":42');
    expect(without.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});

describe('chunks', () => {
  it('never splits a surrogate pair and loses nothing', () => {
    const text = '🇫🇷'.repeat(7) + 'abc';
    const pieces = [...chunks(text, 3)];
    expect(pieces.join('')).toBe(text);
    for (const piece of pieces) expect(piece).toBe(Buffer.from(piece, 'utf8').toString('utf8'));
  });
});
