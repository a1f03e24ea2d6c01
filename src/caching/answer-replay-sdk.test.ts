import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { codecs } from '../dialects/index.js';
import type { ChatResponse } from '../llm/index.js';
import { replayJson, replayStream } from './answer-replay.js';

/** A cached answer with text, a tool call, a stop and usage: what a hit replays. */
const cached: ChatResponse = {
  id: 'chatcmpl-abc123',
  model: 'gpt-4o-2024-08-06',
  created: 1_700_000_000,
  choices: [
    {
      index: 0,
      content: [
        { type: 'text', text: 'Let me look that up for you — un moment ☕.' },
        { type: 'tool_call', id: 'call_abc', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
      ],
      finishReason: 'tool_use',
    },
  ],
  usage: { inputTokens: 120, outputTokens: 33, cachedInputTokens: 20, cacheCreationInputTokens: 0 },
};

/** A fetch that answers every call with the replayed body, as the gateway would on a hit. */
function replayingFetch(body: () => string | readonly string[], contentType: string): typeof fetch {
  return () => {
    const content = body();
    const payload =
      typeof content === 'string'
        ? content
        : new ReadableStream<Uint8Array>({
            start(controller) {
              for (const batch of content) controller.enqueue(new TextEncoder().encode(batch));
              controller.close();
            },
          });
    return Promise.resolve(new Response(payload, { status: 200, headers: { 'content-type': contentType } }));
  };
}

describe('a replayed answer read by the real client libraries', () => {
  it('streams to the openai client with the same text, tool call and usage', async () => {
    const client = new OpenAI({
      apiKey: 'test',
      baseURL: 'http://gatehouse.invalid/v1',
      fetch: replayingFetch(
        () => replayStream(codecs.openai, cached, { includeUsage: true, chunkCharacters: 7 }),
        'text/event-stream',
      ),
    });
    const stream = client.chat.completions.stream({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      stream_options: { include_usage: true },
    });
    const completion = await stream.finalChatCompletion();
    const message = completion.choices[0]?.message;
    expect(message?.content).toBe('Let me look that up for you — un moment ☕.');
    expect(message?.tool_calls?.[0]).toMatchObject({
      id: 'call_abc',
      function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.usage).toMatchObject({ prompt_tokens: 120, completion_tokens: 33, total_tokens: 153 });
  });

  it('answers the openai client as JSON', async () => {
    const client = new OpenAI({
      apiKey: 'test',
      baseURL: 'http://gatehouse.invalid/v1',
      fetch: replayingFetch(() => replayJson(codecs.openai, cached).toString('utf8'), 'application/json'),
    });
    const completion = await client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Let me look that up for you — un moment ☕.');
    expect(completion.choices[0]?.message.tool_calls?.[0]?.id).toBe('call_abc');
    expect(completion.usage?.prompt_tokens).toBe(120);
  });

  it('streams to the Anthropic client with the same text, tool call and usage', async () => {
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://gatehouse.invalid',
      fetch: replayingFetch(
        () => replayStream(codecs.anthropic, cached, { includeUsage: false, chunkCharacters: 7 }),
        'text/event-stream',
      ),
    });
    const message = await client.messages
      .stream({
        model: 'claude',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      })
      .finalMessage();
    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: 'Let me look that up for you — un moment ☕.',
    });
    expect(message.content[1]).toMatchObject({
      type: 'tool_use',
      id: 'call_abc',
      name: 'get_weather',
      input: { city: 'Paris', unit: 'c' },
    });
    expect(message.stop_reason).toBe('tool_use');
    // Anthropic counts input without cache reads: 120 - 20.
    expect(message.usage).toMatchObject({
      input_tokens: 100,
      cache_read_input_tokens: 20,
      output_tokens: 33,
    });
  });

  it('answers the Anthropic client as JSON', async () => {
    const client = new Anthropic({
      apiKey: 'test',
      baseURL: 'http://gatehouse.invalid',
      fetch: replayingFetch(() => replayJson(codecs.anthropic, cached).toString('utf8'), 'application/json'),
    });
    const message = await client.messages.create({
      model: 'claude',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(message.content.map((block) => block.type)).toEqual(['text', 'tool_use']);
    expect(message.usage.output_tokens).toBe(33);
  });
});
