import { describe, expect, it } from 'vitest';
import { piiTypes, type PiiType } from './pii-types.js';
import { createPiiRedaction, type DetectionPlace } from './redaction.js';
import { samples } from './samples.js';

function redaction(types: readonly PiiType[] = piiTypes) {
  const counted: string[] = [];
  const pii = createPiiRedaction(new Set(types), (type: PiiType, place: DetectionPlace) =>
    counted.push(`${place}:${type}`),
  );
  return { pii, counted };
}

const personal = `Mail ${samples.email}, card ${samples.card}`;
const masked = 'Mail [EMAIL], card [CARD:...1111]';

describe('request redaction', () => {
  it('masks every text an OpenAI chat request carries, sharing what it does not change', () => {
    const { pii, counted } = redaction();
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } };
    const untouched = { role: 'user', content: 'nothing personal here' };
    const body: Record<string, unknown> = {
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: personal },
        untouched,
        { role: 'user', content: [{ type: 'text', text: personal }, image] },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'send', arguments: `{"to":"${samples.email}"}` } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: personal },
      ],
    };
    const original = body.messages;
    pii.request(body, 'openai', 'chat');
    expect(body.messages).not.toBe(original);
    expect(body.messages).toEqual([
      { role: 'system', content: masked },
      untouched,
      { role: 'user', content: [{ type: 'text', text: masked }, image] },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'c1', type: 'function', function: { name: 'send', arguments: '{"to":"[EMAIL]"}' } }],
      },
      { role: 'tool', tool_call_id: 'c1', content: masked },
    ]);
    const messages = body.messages as unknown[];
    expect(messages[1]).toBe(untouched);
    expect((messages[2] as { content: unknown[] }).content[1]).toBe(image);
    expect(counted.filter((entry) => entry === 'request:email')).toHaveLength(4);
  }); // prettier-ignore

  it('masks every text an Anthropic request carries, and leaves signed thinking alone', () => {
    const { pii } = redaction();
    const thinking = { type: 'thinking', thinking: personal, signature: 'sig' };
    const body: Record<string, unknown> = {
      model: 'claude',
      system: [{ type: 'text', text: personal }],
      messages: [
        { role: 'user', content: personal },
        {
          role: 'assistant',
          content: [thinking, { type: 'tool_use', id: 't1', name: 'send', input: { to: samples.email, cc: [samples.email] } }],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: personal }] },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: personal } },
          ],
        },
      ],
    };
    pii.request(body, 'anthropic', 'chat');
    expect(body.system).toEqual([{ type: 'text', text: masked }]);
    expect(body.messages).toEqual([
      { role: 'user', content: masked },
      {
        role: 'assistant',
        content: [thinking, { type: 'tool_use', id: 't1', name: 'send', input: { to: '[EMAIL]', cc: ['[EMAIL]'] } }],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: masked }] },
          { type: 'document', source: { type: 'text', media_type: 'text/plain', data: masked } },
        ],
      },
    ]);
  }); // prettier-ignore

  it('masks an embeddings input, one string or many', () => {
    const { pii } = redaction();
    const one: Record<string, unknown> = { model: 'e', input: personal };
    const many: Record<string, unknown> = { model: 'e', input: [personal, 'plain', [1, 2]] };
    pii.request(one, 'openai', 'embeddings');
    pii.request(many, 'openai', 'embeddings');
    expect(one.input).toBe(masked);
    expect(many.input).toEqual([masked, 'plain', [1, 2]]);
  });

  it('leaves a body without personal data exactly as it was', () => {
    const { pii, counted } = redaction();
    const messages = [{ role: 'user', content: 'Order #4111111111111111, version 1.2.3' }];
    const body: Record<string, unknown> = { model: 'm', messages };
    pii.request(body, 'openai', 'chat');
    expect(body.messages).toBe(messages);
    expect(counted).toEqual([]);
  });

  it('masks only the configured kinds', () => {
    const { pii } = redaction(['card']);
    const body: Record<string, unknown> = { model: 'm', messages: [{ role: 'user', content: personal }] };
    pii.request(body, 'openai', 'chat');
    expect(body.messages).toEqual([{ role: 'user', content: `Mail ${samples.email}, card [CARD:...1111]` }]);
  });

  it.each([
    ['messages that are not an array', { messages: 'text' }],
    ['messages that are not objects', { messages: [null, 1, 'x', [personal]] }],
    [
      'content of every odd type',
      { messages: [{ content: 5 }, { content: [null, { type: 'text', text: 5 }] }] },
    ],
    ['a system prompt of an odd type', { system: { text: personal } }],
  ])('never throws on %s', (_name, shape) => {
    const { pii } = redaction();
    for (const dialect of ['openai', 'anthropic'] as const) {
      expect(() => pii.request({ ...shape }, dialect, 'chat')).not.toThrow();
      expect(() => pii.request({ input: shape }, dialect, 'embeddings')).not.toThrow();
    }
  });
});

describe('answer redaction', () => {
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));

  it("masks the text of an OpenAI answer's choices, not its tool calls", () => {
    const { pii, counted } = redaction();
    const toolCalls = [{ id: 'c', type: 'function', function: { name: 'send', arguments: `{"to":"${samples.email}"}` } }];
    const answer = {
      id: 'x',
      choices: [
        { index: 0, message: { role: 'assistant', content: personal }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: null, tool_calls: toolCalls }, finish_reason: 'tool_calls' },
      ],
    };
    const rewritten = JSON.parse(pii.jsonAnswer(json(answer), 'openai').toString()) as typeof answer;
    expect(rewritten.choices[0]?.message.content).toBe(masked);
    expect(rewritten.choices[1]?.message.tool_calls).toEqual(toolCalls);
    expect(counted).toEqual(['answer:email', 'answer:card']);
  }); // prettier-ignore

  it("masks an Anthropic answer's text blocks", () => {
    const { pii } = redaction();
    const answer = {
      type: 'message',
      content: [
        { type: 'text', text: personal },
        { type: 'tool_use', input: {} },
      ],
    };
    const rewritten = JSON.parse(pii.jsonAnswer(json(answer), 'anthropic').toString()) as typeof answer;
    expect(rewritten.content).toEqual([
      { type: 'text', text: masked },
      { type: 'tool_use', input: {} },
    ]);
  });

  it('returns the same bytes for an answer with nothing to mask, or one it cannot read', () => {
    const { pii } = redaction();
    for (const body of [
      json({ choices: [{ message: { content: 'plain' } }] }),
      Buffer.from('not json'),
      json([1]),
    ]) {
      expect(pii.jsonAnswer(body, 'openai')).toBe(body);
      expect(pii.jsonAnswer(body, 'anthropic')).toBe(body);
    }
  });
});
