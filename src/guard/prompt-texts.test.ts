import { describe, expect, it } from 'vitest';
import type { HistoryScope } from './injection-settings.js';
import { visitPromptTexts } from './prompt-texts.js';

function walked(body: Record<string, unknown>, dialect: 'openai' | 'anthropic', history: HistoryScope) {
  const seen: string[] = [];
  visitPromptTexts(body, dialect, history, (text, source, path) => {
    seen.push(`${source} ${path()} ${text}`);
    return false;
  });
  return seen;
}

const openaiConversation = {
  model: 'm',
  messages: [
    { role: 'system', content: 'system text' },
    { role: 'user', content: 'first question' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    },
    { role: 'tool', tool_call_id: 'c1', content: 'first result' },
    { role: 'assistant', content: 'an answer' },
    { role: 'developer', content: 'developer text' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'second question' },
        { type: 'image_url', image_url: { url: 'x' } },
      ],
    },
    { role: 'tool', tool_call_id: 'c2', content: [{ type: 'text', text: 'second result' }] },
    { role: 'function', name: 'legacy', content: 'legacy result' },
  ],
};

const anthropicConversation = {
  model: 'm',
  system: 'system text',
  messages: [
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'f', input: {} }] },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 't1', content: 'string result' },
        { type: 'tool_result', tool_use_id: 't2', content: [{ type: 'text', text: 'block result' }] },
        { type: 'text', text: 'and a question' },
        { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'document text' } },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'aGk=' } },
      ],
    },
  ],
};

describe('the texts the guard scores', () => {
  it('are, in an OpenAI request, the user and tool messages after the last assistant message', () => {
    expect(walked(openaiConversation, 'openai', 'latest_turn')).toEqual([
      'input messages[6].content[0].text second question',
      'tool_result messages[7].content[0].text second result',
      'tool_result messages[8].content legacy result',
    ]);
  });

  it('are every user and tool message with history: all, never system, developer or assistant text', () => {
    expect(walked(openaiConversation, 'openai', 'all')).toEqual([
      'input messages[1].content first question',
      'tool_result messages[3].content first result',
      'input messages[6].content[0].text second question',
      'tool_result messages[7].content[0].text second result',
      'tool_result messages[8].content legacy result',
    ]);
  });

  it('are, in an Anthropic request, the blocks of the user turns after the last assistant turn', () => {
    expect(walked(anthropicConversation, 'anthropic', 'latest_turn')).toEqual([
      'tool_result messages[2].content[0].content string result',
      'tool_result messages[2].content[1].content[0].text block result',
      'input messages[2].content[2].text and a question',
      'input messages[2].content[3].source.data document text',
    ]);
    expect(walked(anthropicConversation, 'anthropic', 'all')[0]).toBe(
      'input messages[0].content first question',
    );
  });

  it('include every message of a first turn, which has no assistant message yet', () => {
    const body = { messages: [{ role: 'user', content: 'only question' }] };
    expect(walked(body, 'openai', 'latest_turn')).toEqual(['input messages[0].content only question']);
    expect(walked(body, 'anthropic', 'latest_turn')).toEqual(['input messages[0].content only question']);
  });

  it('stop at the first text the visitor takes', () => {
    const seen: string[] = [];
    const stopped = visitPromptTexts(openaiConversation, 'openai', 'all', (text) => {
      seen.push(text);
      return text === 'first result';
    });
    expect(stopped).toBe(true);
    expect(seen).toEqual(['first question', 'first result']);
  });

  it('tolerate shapes validation would refuse', () => {
    for (const body of [{}, { messages: 'x' }, { messages: [null, 3, { role: 'user', content: 7 }] }]) {
      expect(walked(body, 'openai', 'all')).toEqual([]);
      expect(walked(body, 'anthropic', 'all')).toEqual([]);
    }
  });
});
