import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../errors/index.js';
import type { ChatStreamEvent } from '../../llm/index.js';
import { OpenaiStreamDecoder } from '../openai/openai-stream-decoder.js';
import { EventTemplate, type TemplateSlot } from './event-template.js';

const textSlot: TemplateSlot = { key: 'text', read: (event) => event.text };
const padSlot: TemplateSlot = { key: 'pad', read: (event) => event.pad };

function learnt(event: Record<string, unknown>, ignored: readonly TemplateSlot[] = []): EventTemplate {
  const template = EventTemplate.learn(JSON.stringify(event), event, textSlot, ignored);
  if (template === undefined) throw new Error('no template learnt');
  return template;
}

describe('EventTemplate', () => {
  it('reads the varying string of an event with the same bytes around it', () => {
    const template = learnt({ id: 'x', text: 'one', n: 1 });
    expect(template.read(JSON.stringify({ id: 'x', text: 'two words', n: 1 }))).toBe('two words');
    expect(template.read(JSON.stringify({ id: 'x', text: '', n: 1 }))).toBe('');
    expect(template.read(JSON.stringify({ id: 'x', text: 'é "quoted" \\ \n', n: 1 }))).toBe(
      'é "quoted" \\ \n',
    );
  });

  it('does not fit an event that differs anywhere else, or is not JSON there', () => {
    const template = learnt({ id: 'x', text: 'one', n: 1 });
    expect(template.read(JSON.stringify({ id: 'y', text: 'one', n: 1 }))).toBeUndefined();
    expect(template.read(JSON.stringify({ id: 'x', text: 'one', n: 12 }))).toBeUndefined();
    expect(template.read('{"id":"x","text":"one","n":1}}')).toBeUndefined();
    // A raw control character, a bad escape, an escaped quote that would end the string early.
    expect(template.read('{"id":"x","text":"a\u0001b","n":1}')).toBeUndefined();
    expect(template.read('{"id":"x","text":"a\\qb","n":1}')).toBeUndefined();
    expect(template.read('{"id":"x","text":"a\\","n":1}')).toBeUndefined();
    expect(template.read('{"id":"x","text":"a\\"","n":1}"')).toBeUndefined();
  });

  it('lets ignored slots vary and checks that they are still strings', () => {
    const template = learnt({ text: 'one', pad: 'abc' }, [padSlot]);
    expect(template.read(JSON.stringify({ text: 'two', pad: 'zyxwvu' }))).toBe('two');
    expect(template.read('{"text":"two","pad":"a\u0002"}')).toBeUndefined();
    expect(template.read('{"text":"two","pad":1}')).toBeUndefined();
  });

  it('learns nothing when the key is ambiguous or the slot is another member of the same name', () => {
    const data = JSON.stringify({ nested: { text: 'inner' }, text: 'outer' });
    expect(EventTemplate.learn(data, JSON.parse(data) as Record<string, unknown>, textSlot)).toBeUndefined();
    // The reader names a member whose key is written with an escape: the unescaped `"text":"` the
    // search finds belongs to another member, and the probe shows it.
    const spoof = '{"other":{"text":"same"},"t\\u0065xt":"same"}';
    const parsed = JSON.parse(spoof) as Record<string, unknown>;
    expect(parsed.text).toBe('same');
    expect(EventTemplate.learn(spoof, parsed, textSlot)).toBeUndefined();
  });

  it('reads what a full parse reads, for any text and padding', () => {
    const template = learnt({ id: 'chunk', text: 'first', pad: 'p', tail: [1, null] }, [padSlot]);
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), (text, pad) => {
        expect(template.read(JSON.stringify({ id: 'chunk', text, pad, tail: [1, null] }))).toBe(text);
      }),
    );
  });

  it('never accepts a slot body that a full parse would reject or read differently', () => {
    const template = learnt({ a: 1, text: 'first', b: 2 });
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '"', '\\', 'u', '0', '\n', '}', ',', ':') }),
        (body) => {
          const data = `{"a":1,"text":"${body}","b":2}`;
          let expected: unknown;
          try {
            expected = (JSON.parse(data) as Record<string, unknown>).text;
          } catch {
            expected = undefined;
          }
          const read = template.read(data);
          if (read !== undefined) expect(read).toBe(expected);
        },
      ),
    );
  });
});

describe('OpenaiStreamDecoder with a learnt template', () => {
  const chunk = (content: string, obfuscation: string): { data: string } => ({
    data: JSON.stringify({
      id: 'chatcmpl-1',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'gpt-4o',
      choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
      obfuscation,
    }),
  });

  it('decodes every chunk as a full parse would, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'binary' }), fc.string()), { maxLength: 12 }),
        (parts) => {
          const decoder = new OpenaiStreamDecoder();
          const events = parts.flatMap(([content, padding]) => decoder.decode(chunk(content, padding)));
          const expected: ChatStreamEvent[] = parts
            .filter(([content]) => content !== '')
            .map(([content]) => ({ type: 'text', choice: 0, text: content }));
          expect(events.filter((event) => event.type === 'text')).toEqual(expected);
        },
      ),
    );
  });

  it('still rejects a malformed chunk, and still sees the finish and the usage', () => {
    const decoder = new OpenaiStreamDecoder();
    decoder.decode(chunk('Hello', 'aa'));
    decoder.decode(chunk(' world', 'bbb'));
    expect(decoder.decode(chunk('!', 'c'))).toEqual([{ type: 'text', choice: 0, text: '!' }]);
    const broken = chunk('cut', 'd').data.slice(0, -1);
    expect(() => decoder.decode({ data: broken })).toThrow(GatewayError);
    const finish = JSON.stringify({
      id: 'chatcmpl-1',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2 },
    });
    expect(decoder.decode({ data: finish }).map((event) => event.type)).toEqual(['finish', 'usage']);
  });
});
