import { describe, expect, it } from 'vitest';
import {
  createTokenCounter,
  encodingOf,
  estimatePromptTokensFast,
  maxOutputTokens,
} from './token-counter.js';

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

describe('maximum output', () => {
  it('reads max_completion_tokens or max_tokens, times n choices, else the default', () => {
    expect(maxOutputTokens(openaiBody, 'openai')).toBe(600);
    expect(maxOutputTokens({ max_completion_tokens: 50, max_tokens: 9 }, 'openai')).toBe(50);
    expect(maxOutputTokens({ messages: [] }, 'openai')).toBe(4_096);
    expect(maxOutputTokens({ messages: [] }, 'openai', 1_000)).toBe(1_000);
    expect(maxOutputTokens({ max_tokens: -1 }, 'openai')).toBe(4_096);
  });

  it('reads Anthropic max_tokens and gives embeddings no output', () => {
    expect(maxOutputTokens(anthropicBody, 'anthropic')).toBe(1_024);
    expect(maxOutputTokens({ input: 'x' }, 'openai')).toBe(0);
  });
});
