import { describe, expect, it } from 'vitest';
import { createTokenCounter, encodingOf, estimatePromptTokensFast } from './token-counter.js';

const openaiBody = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'You are terse.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Hello, world!' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,' + 'A'.repeat(100_000) } },
      ],
    },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"city":"Paris"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21 degrees.' },
  ],
  tools: [
    {
      type: 'function',
      function: { name: 'lookup', description: 'Weather by city', parameters: { type: 'object' } },
    },
  ],
  max_tokens: 300,
  n: 2,
};

const anthropicBody = {
  model: 'claude-sonnet-4-5',
  max_tokens: 1_024,
  system: [{ type: 'text', text: 'You are terse.' }],
  messages: [
    { role: 'user', content: 'Hello, world!' },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { city: 'Paris' } }],
    },
    {
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: 'toolu_1',
          content: [{ type: 'text', text: 'Sunny, 21 degrees.' }],
        },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A'.repeat(100_000) } },
      ],
    },
  ],
  tools: [{ name: 'lookup', description: 'Weather by city', input_schema: { type: 'object' } }],
};

describe('token counting', () => {
  const counter = createTokenCounter();

  it('counts known strings exactly with the model family encoding', async () => {
    expect(await counter.countText('Hello, world!', 'gpt-4o')).toBe(4);
    expect(await counter.countText('tiktoken is great!', 'gpt-4')).toBe(6);
    expect(await counter.countText('', 'gpt-4o')).toBe(0);
  });

  it('picks o200k for the GPT-4o, 4.1, 5 and o-series families and cl100k for older models', () => {
    for (const model of [
      'gpt-4o',
      'gpt-4o-mini-2024-07-18',
      'gpt-4.1-nano',
      'gpt-5-mini',
      'o1',
      'o3-mini',
      'o4-mini',
      'openai/gpt-4o',
    ])
      expect(encodingOf(model)).toBe('o200k_base');
    for (const model of [
      'gpt-4',
      'gpt-4-turbo',
      'gpt-3.5-turbo',
      'text-embedding-3-small',
      'claude-sonnet-4-5',
      'llama-3-70b',
    ])
      expect(encodingOf(model)).toBe('cl100k_base');
  });

  it('counts text that looks like a special token as text instead of refusing it', async () => {
    expect(await counter.countText('a <|endoftext|> b', 'gpt-4o')).toBeGreaterThan(3);
  });

  it('approximates Claude with cl100k plus 20%', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const cl100k = await counter.countText(text, 'gpt-4');
    expect(await counter.countText(text, 'claude-sonnet-4-5')).toBe(Math.ceil(cl100k * 1.2));
  });

  it('estimates an OpenAI prompt from its text, framing and attachments, never from base64 data', async () => {
    const exact = await counter.estimatePromptTokens(openaiBody, 'openai');
    // Text (~30 tokens), 4 messages × 3 + 3 framing, 1 image at 1,000.
    expect(exact).toBeGreaterThan(1_030);
    expect(exact).toBeLessThan(1_100);
    const fast = estimatePromptTokensFast(openaiBody, 'openai');
    expect(Math.abs(fast - exact)).toBeLessThan(30);
  });

  it('estimates an Anthropic prompt from system, messages, tool use and results, and tools', async () => {
    const exact = await counter.estimatePromptTokens(anthropicBody, 'anthropic');
    expect(exact).toBeGreaterThan(1_030);
    expect(exact).toBeLessThan(1_100);
    const fast = estimatePromptTokensFast(anthropicBody, 'anthropic');
    expect(Math.abs(fast - exact)).toBeLessThan(30);
  });

  it('grows with the prompt and counts embeddings input, tokens given as ids included', async () => {
    const long = { messages: [{ role: 'user', content: 'word '.repeat(4_000) }] };
    expect(estimatePromptTokensFast(long, 'openai')).toBe(5_000 + 6);
    expect(await counter.estimatePromptTokens(long, 'openai', 'gpt-4o')).toBeGreaterThan(3_900);
    expect(estimatePromptTokensFast({ input: ['abcd', 'efgh'] }, 'openai')).toBe(2);
    expect(estimatePromptTokensFast({ input: [[1, 2, 3], [4]] }, 'openai')).toBe(4);
  });

  it('tolerates bodies of any shape', async () => {
    for (const body of [
      {},
      { messages: 'no' },
      { messages: [null, 3, { content: 7 }] },
      { system: 5, tools: {} },
    ]) {
      expect(estimatePromptTokensFast(body, 'openai')).toBeGreaterThanOrEqual(0);
      expect(estimatePromptTokensFast(body, 'anthropic')).toBeGreaterThanOrEqual(0);
      expect(
        await counter.estimatePromptTokens(body, 'anthropic', 'claude-haiku-4-5'),
      ).toBeGreaterThanOrEqual(0);
    }
  });

  it('counts usage for an answer the provider reported none for', async () => {
    const usage = await counter.countUsage({
      body: openaiBody,
      dialect: 'openai',
      model: 'gpt-4o',
      outputText: 'Hello, world!',
    });
    expect(usage).toEqual({
      inputTokens: await counter.estimatePromptTokens(openaiBody, 'openai', 'gpt-4o'),
      outputTokens: 4,
      cachedInputTokens: 0,
      cacheCreationInputTokens: 0,
    });
  });
});

describe('deeply nested JSON in a prompt', () => {
  /** An object nested `depth` levels, built without recursion (as no JSON parser would allow). */
  function nested(depth: number): Record<string, unknown> {
    let value: Record<string, unknown> = { type: 'string' };
    for (let level = 1; level < depth; level += 1) value = { type: 'object', properties: { a: value } };
    return value;
  }
  const messages = [{ role: 'user', content: 'Hello' }];
  function bodyOf(dialect: 'openai' | 'anthropic', schema: Record<string, unknown>): Record<string, unknown> {
    return dialect === 'openai'
      ? {
          model: 'gpt-4o',
          messages,
          tools: [{ type: 'function', function: { name: 'f', parameters: schema } }],
          response_format: { type: 'json_schema', json_schema: { name: 's', schema } },
        }
      : {
          model: 'claude-sonnet-4-5',
          max_tokens: 16,
          messages: [
            { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: schema }] },
          ],
          tools: [{ name: 'f', input_schema: schema }],
        };
  }

  it.each(['openai', 'anthropic'] as const)('is estimated without overflowing the stack (%s)', (dialect) => {
    const fast = estimatePromptTokensFast(bodyOf(dialect, nested(100_000)), dialect);
    // Every level's `{"type":"object","properties":{"a":` and `}}` count, at four characters a token.
    expect(fast).toBeGreaterThan(2 * ((100_000 * 37) / 4));
  });

  it.each(['openai', 'anthropic'] as const)(
    'is counted by the tokenizer past the depth handed to JSON.stringify (%s)',
    async (dialect) => {
      // Deeper than the walk trusts JSON.stringify with (256), shallow enough for the tokenizer:
      // a long run of `}` is one word to BPE, whose cost grows with the square of its length.
      const depth = 1_000;
      const body = bodyOf(dialect, nested(depth));
      const counted = await createTokenCounter().estimatePromptTokens(body, dialect);
      const shallow = await createTokenCounter().estimatePromptTokens(bodyOf(dialect, nested(1)), dialect);
      expect(counted - shallow).toBeGreaterThan(2 * depth * 5);
    },
  );

  it('counts a shallow schema exactly as its JSON text', () => {
    const schema = nested(5);
    const tools = [{ type: 'function', function: { name: 'f', parameters: schema } }];
    const withTools = estimatePromptTokensFast({ messages, tools }, 'openai');
    const without = estimatePromptTokensFast({ messages }, 'openai');
    const text = JSON.stringify({ name: 'f', parameters: schema });
    expect(withTools - without).toBe(Math.ceil((5 + text.length) / 4) - Math.ceil(5 / 4));
  });

  it('writes the same text as JSON.stringify past that depth', () => {
    // 300 levels: JSON.stringify manages it, so the two can be compared.
    const schema = nested(300);
    const fast = estimatePromptTokensFast({ tools: [{ type: 'function', function: schema }] }, 'openai');
    expect(fast).toBe(Math.ceil(JSON.stringify(schema).length / 4));
  });
});
