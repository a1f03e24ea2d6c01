import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createStreamTextRewriter, type StreamFrame } from './answer-stream.js';
import { piiTypes, type PiiType } from './pii-types.js';
import { samples } from './samples.js';
import { scanText } from './scanner.js';

const allTypes = new Set(piiTypes);
const text = (frame: StreamFrame) => (typeof frame === 'string' ? frame : new TextDecoder().decode(frame));

function openaiChunk(choices: unknown[], extra: Record<string, unknown> = {}): string {
  return `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra })}\n\n`;
}
const delta = (content: string, index = 0) => ({ index, delta: { content }, finish_reason: null });
const finish = (index = 0) => ({ index, delta: {}, finish_reason: 'stop' });

/** The text an OpenAI client assembles per choice from the rewritten frames. */
function openaiText(frames: readonly StreamFrame[]): Map<number, string> {
  const texts = new Map<number, string>();
  for (const frame of frames) {
    for (const event of text(frame).split('\n\n')) {
      const data = /^data: (\{.*\})$/s.exec(event)?.[1];
      if (data === undefined) continue;
      const chunk = JSON.parse(data) as { choices?: { index: number; delta?: { content?: string | null } }[] };
      for (const choice of chunk.choices ?? []) texts.set(choice.index, (texts.get(choice.index) ?? '') + (choice.delta?.content ?? ''));
    }
  }
  return texts;
} // prettier-ignore

function anthropicEvent(type: string, body: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...body })}\n\n`;
}
const textDelta = (value: string, index = 0) =>
  anthropicEvent('content_block_delta', { index, delta: { type: 'text_delta', text: value } });

function anthropicText(frames: readonly StreamFrame[]): string {
  let result = '';
  for (const frame of frames) {
    for (const event of text(frame).split('\n\n')) {
      const data = /\ndata: (\{.*\})$/s.exec(event)?.[1];
      const parsed = data === undefined ? undefined : (JSON.parse(data) as { delta?: { text?: string } });
      result += parsed?.delta?.text ?? '';
    }
  }
  return result;
}

describe('the stream text rewriter', () => {
  it('masks an email split over OpenAI deltas, releasing the rest at finish_reason', () => {
    const found: PiiType[] = [];
    const rewrite = createStreamTextRewriter('openai', allTypes, (type) => found.push(type));
    const frames = [
      openaiChunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
      openaiChunk([delta('Write to jo')]),
      openaiChunk([delta('hn@exam')]),
      openaiChunk([delta('ple.com')]),
      openaiChunk([finish()]),
      'data: [DONE]\n\n',
    ].map(rewrite);
    expect(openaiText(frames).get(0)).toBe('Write to [EMAIL]');
    expect(found).toEqual(['email']);
    expect(text(frames[5] ?? '')).toBe('data: [DONE]\n\n');
  });

  it('keeps each OpenAI choice apart, and releases held text before [DONE] and usage chunks', () => {
    const rewrite = createStreamTextRewriter('openai', allTypes, () => undefined);
    const frames = [
      openaiChunk([delta(`a ${samples.card.slice(0, 7)}`, 0), delta('b +49 30', 1)]),
      openaiChunk([delta(samples.card.slice(7), 0), delta(' 12345678', 1)]),
      openaiChunk([], { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }),
      'data: [DONE]\n\n',
    ].map(rewrite);
    expect(openaiText(frames)).toEqual(
      new Map([
        [0, 'a [CARD:...1111]'],
        [1, 'b [PHONE]'],
      ]),
    );
    // The held text came out in a chunk of its own before the usage chunk, with the stream's id.
    expect(text(frames[2] ?? '')).toMatch(/^data: \{"id":"chatcmpl-1".*\n\ndata: .*"usage"/s);
  });

  it('masks Anthropic text deltas per content block, releasing before content_block_stop', () => {
    const rewrite = createStreamTextRewriter('anthropic', allTypes, () => undefined);
    const frames = [
      anthropicEvent('message_start', { message: { id: 'msg' } }),
      anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      textDelta(`Key ${samples.openaiKey().slice(0, 12)}`),
      textDelta(samples.openaiKey().slice(12)),
      anthropicEvent('content_block_stop', { index: 0 }),
      anthropicEvent('message_delta', { delta: { stop_reason: 'end_turn' } }),
      anthropicEvent('message_stop', {}),
    ].map(rewrite);
    expect(anthropicText(frames)).toBe('Key [OPENAI_KEY]');
    expect(text(frames[4] ?? '')).toMatch(/^event: content_block_delta\n.*\n\nevent: content_block_stop\n/s);
  });

  it('releases held text before an in-band error', () => {
    const openai = createStreamTextRewriter('openai', allTypes, () => undefined);
    const error = `data: ${JSON.stringify({ error: { message: 'upstream failed' } })}\n\n`;
    const frames = [openaiChunk([delta('partial answer')]), error].map(openai);
    expect(openaiText(frames).get(0)).toBe('partial answer');
    const anthropic = createStreamTextRewriter('anthropic', allTypes, () => undefined);
    const events = [
      textDelta('partial answer'),
      anthropicEvent('error', { error: { type: 'overloaded_error' } }),
    ];
    expect(anthropicText(events.map(anthropic))).toBe('partial answer');
  });

  it('passes frames with no text and nothing held as they came, bytes and all', () => {
    const rewrite = createStreamTextRewriter('openai', allTypes, () => undefined);
    const bytes = new TextEncoder().encode(': keep-alive\n\n');
    expect(rewrite(bytes)).toBe(bytes);
    const plain = new TextEncoder().encode(openaiChunk([delta('nothing personal ')]));
    expect(rewrite(plain)).toBe(plain);
  });

  it('reads several events per frame and CRLF separators', () => {
    const rewrite = createStreamTextRewriter('openai', allTypes, () => undefined);
    const frame = `${openaiChunk([delta(`mail ${samples.email}`)])}${openaiChunk([finish()])}`.replaceAll('\n\n', '\r\n\r\n');
    expect(openaiText([rewrite(frame)].map((f) => text(f).replaceAll('\r\n', '\n'))).get(0)).toBe('mail [EMAIL]');
  }); // prettier-ignore

  it('never throws on malformed frames and passes them on', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('data: ', 'data: {', '}', '[DONE]', '"choices":', '[', ']', '{"index":', '"delta":', '"content":"x"', '\n\n', 'event: content_block_delta\n', '"type":"text_delta"', '"text":1'), { maxLength: 20 }),
        (pieces) => {
          for (const dialect of ['openai', 'anthropic'] as const) {
            const rewrite = createStreamTextRewriter(dialect, allTypes, () => undefined);
            expect(() => rewrite(pieces.join(''))).not.toThrow();
          }
        },
      ),
    );
  }); // prettier-ignore

  it('leaves no value in the text of a stream, however the answer is cut into deltas', () => {
    const answer = `Contact ${samples.email} or ${samples.phone}; card ${samples.card}; key ${samples.awsAccessKey()}; ${samples.jwt()} done.`;
    fc.assert(
      fc.property(fc.array(fc.nat(answer.length), { maxLength: 25 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let from = 0;
        const deltas = [...points, answer.length].map((point) => answer.slice(from, (from = point)));
        const rewrite = createStreamTextRewriter('openai', allTypes, () => undefined);
        const frames = [...deltas.map((piece) => openaiChunk([delta(piece)])), openaiChunk([finish()])].map(rewrite);
        const received = openaiText(frames).get(0) ?? '';
        expect(received).toBe('Contact [EMAIL] or [PHONE]; card [CARD:...1111]; key [AWS_ACCESS_KEY]; [JWT] done.');
        expect(scanText(received)).toEqual([]);
      }),
    );
  }); // prettier-ignore
});
