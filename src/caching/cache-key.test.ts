import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cacheKeyOf, cacheScope } from './cache-key.js';
import { canonicalJson } from './canonical-json.js';
import { canonicalRequest, splitLastUserText } from './request-canonical.js';
import type { Dialect } from '../llm/index.js';

function keyOf(body: Record<string, unknown>, dialect: Dialect = 'openai', scope = 'team:alpha') {
  return cacheKeyOf(scope, dialect, String(body.model), canonicalRequest(dialect, body));
}

const openai = {
  model: 'gpt-4o',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0,
};

const anthropic = {
  model: 'claude-sonnet',
  max_tokens: 256,
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'What is the capital of France?' }],
  temperature: 0,
};

describe('canonical JSON', () => {
  it('writes equal data as equal text whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered: unknown = JSON.parse(
          JSON.stringify(value, (_key, item: unknown) => reverseKeys(item)),
        );
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
      }),
    );
  });

  it('leaves out undefined properties and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: [3, 1] })).toBe('{"b":1,"c":[3,1]}');
  });
});

describe('cache key of an OpenAI request', () => {
  const base = keyOf(openai);

  it.each([
    ['keys in another order', { temperature: 0, messages: openai.messages, model: 'gpt-4o' }],
    ['streaming', { ...openai, stream: true, stream_options: { include_usage: true } }],
    ['an end-user id and metadata', { ...openai, user: 'u-1', metadata: { run: '7' }, store: true }],
    [
      'text content written as parts',
      {
        ...openai,
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          { role: 'user', content: [{ text: 'What is the capital of France?', type: 'text' }] },
        ],
      },
    ],
    ['n of 1 and null parameters', { ...openai, n: 1, seed: null, top_p: null }],
  ])('is the same for an equivalent request: %s', (_name, body) => {
    expect(keyOf(body).hash).toBe(base.hash);
  });

  it('treats max_tokens and max_completion_tokens alike, and a stop string as a list of one', () => {
    expect(keyOf({ ...openai, max_tokens: 50, stop: 'END' }).hash).toBe(
      keyOf({ ...openai, max_completion_tokens: 50, stop: ['END'] }).hash,
    );
  });

  it.each([
    ['model', { ...openai, model: 'gpt-4o-mini' }],
    ['temperature', { ...openai, temperature: 0.2 }],
    ['top_p', { ...openai, top_p: 0.5 }],
    ['max tokens', { ...openai, max_tokens: 10 }],
    ['stop', { ...openai, stop: ['.'] }],
    ['n', { ...openai, n: 2 }],
    ['seed', { ...openai, seed: 7 }],
    ['response format', { ...openai, response_format: { type: 'json_object' } }],
    ['logit bias', { ...openai, logit_bias: { '50256': -100 } }],
    ['presence penalty', { ...openai, presence_penalty: 1 }],
    ['frequency penalty', { ...openai, frequency_penalty: 1 }],
    ['tools', { ...openai, tools: [{ type: 'function', function: { name: 'f', parameters: {} } }] }],
    ['tool choice', { ...openai, tool_choice: 'required' }],
    ['an unknown parameter', { ...openai, reasoning_effort: 'high' }],
    ['the prompt', { ...openai, messages: [{ role: 'user', content: 'What is the capital of Spain?' }] }],
    ['message order', { ...openai, messages: [...openai.messages].reverse() }],
  ])('differs when the answer may differ: %s', (_name, body) => {
    expect(keyOf(body).hash).not.toBe(base.hash);
  });

  it('differs per tenant, so no scope sees another one’s answers', () => {
    expect(keyOf(openai, 'openai', 'team:alpha').hash).not.toBe(keyOf(openai, 'openai', 'team:beta').hash);
    expect(keyOf(openai, 'openai', 'key:k1').hash).not.toBe(keyOf(openai, 'openai', 'key:k2').hash);
  });

  it('names the entry by scope and model tags, then the hash', () => {
    const key = keyOf(openai);
    expect(key.id).toBe(`${key.scopeTag}:${key.modelTag}:${key.hash}`);
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(keyOf({ ...openai, temperature: 0.5 }).modelTag).toBe(key.modelTag);
  });
});

describe('cache key of an Anthropic request', () => {
  const base = keyOf(anthropic, 'anthropic');

  it.each([
    [
      'system and content as blocks',
      {
        ...anthropic,
        system: [{ type: 'text', text: 'Be brief.' }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the capital of France?' }] }],
      },
    ],
    [
      'prompt-caching markers',
      {
        ...anthropic,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is the capital of France?', cache_control: { type: 'ephemeral' } },
            ],
          },
        ],
      },
    ],
    ['streaming and metadata', { ...anthropic, stream: true, metadata: { user_id: 'u' } }],
  ])('is the same for an equivalent request: %s', (_name, body) => {
    expect(keyOf(body, 'anthropic').hash).toBe(base.hash);
  });

  it.each([
    ['top_k', { ...anthropic, top_k: 5 }],
    ['stop sequences', { ...anthropic, stop_sequences: ['\n'] }],
    ['max tokens', { ...anthropic, max_tokens: 100 }],
    ['system', { ...anthropic, system: 'Be verbose.' }],
  ])('differs when the answer may differ: %s', (_name, body) => {
    expect(keyOf(body, 'anthropic').hash).not.toBe(base.hash);
  });

  it('keeps a property named cache_control inside a tool schema', () => {
    const tool = (properties: Record<string, unknown>) => ({
      ...anthropic,
      tools: [{ name: 't', input_schema: { type: 'object', properties } }],
    });
    expect(keyOf(tool({ cache_control: { type: 'string' } }), 'anthropic').hash).not.toBe(
      keyOf(tool({}), 'anthropic').hash,
    );
  });

  it('differs from the same-looking request in the other dialect', () => {
    expect(keyOf(anthropic, 'anthropic').hash).not.toBe(keyOf(anthropic, 'openai').hash);
  });
});

describe('cache scope', () => {
  it('is the team when the key has one, otherwise the key', () => {
    expect(cacheScope({ keyId: 'key_1', team: 'research' })).toBe('team:research');
    expect(cacheScope({ keyId: 'key_1', team: undefined })).toBe('key:key_1');
    expect(cacheScope({ keyId: 'master' })).toBe('key:master');
  });
});

describe('semantic split', () => {
  it('separates the last user text from the rest of the request', () => {
    const split = splitLastUserText(canonicalRequest('openai', openai));
    expect(split?.text).toBe('What is the capital of France?');
    const other = splitLastUserText(
      canonicalRequest('openai', {
        ...openai,
        messages: [openai.messages[0], { role: 'user', content: 'Hi' }],
      }),
    );
    expect(canonicalJson(other?.rest)).toBe(canonicalJson(split?.rest));
  });

  it('does not apply to a request ending with a tool result', () => {
    const body = {
      ...openai,
      messages: [...openai.messages, { role: 'tool', tool_call_id: 'c', content: '42' }],
    };
    expect(splitLastUserText(canonicalRequest('openai', body))).toBeUndefined();
    const anthropicBody = {
      ...anthropic,
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: '42' }] }],
    };
    expect(splitLastUserText(canonicalRequest('anthropic', anthropicBody))).toBeUndefined();
  });
});

function reverseKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).reverse());
}
