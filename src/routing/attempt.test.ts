import { afterEach, describe, expect, it, vi } from 'vitest';
import { configSchema } from '../config/schema.js';
import { codecs } from '../dialects/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import { attemptChat, attemptEmbeddings } from './attempt.js';
import { timeoutSettingsFrom } from './routing-settings.js';
import type { RouteCall } from './types.js';

/** A provider whose `send` throws at once, as the HTTP adapter does for a body it cannot serialise. */
const throwing: ProviderAdapter = {
  name: 'throwing',
  type: 'openai-compatible',
  dialects: ['openai'],
  supportsEmbeddings: true,
  supportsPrefill: false,
  send: () => {
    throw new RangeError('Maximum call stack size exceeded');
  },
  listModels: () => Promise.resolve([]),
  close: () => Promise.resolve(),
};

const timeouts = timeoutSettingsFrom(configSchema.parse({}).defaults.timeouts);

function call(overrides: Partial<RouteCall>): RouteCall {
  return {
    dialect: 'openai',
    operation: 'chat',
    model: 'relay',
    body: { model: 'relay', messages: [{ role: 'user', content: 'hi' }] },
    stream: false,
    includeUsage: false,
    forwardHeaders: {},
    signal: new AbortController().signal,
    ...overrides,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('an attempt whose provider throws', () => {
  const target = { provider: throwing, model: 'up-model', weight: 1 };
  const deadline = () => Date.now() + timeouts.totalMs;

  it.each([false, true])('leaves no timer running (chat, stream %s)', async (stream) => {
    vi.useFakeTimers();
    const attempt = attemptChat({
      call: call({ stream }),
      target,
      timeouts,
      codecs,
      canonicalRequest: () => {
        throw new Error('not needed: same dialect');
      },
      deadline: deadline(),
    });
    await expect(attempt).rejects.toThrow(RangeError);
    // The attempt budget (attemptMs, 300 s by default) and the first-token timer are gone.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer running (embeddings)', async () => {
    vi.useFakeTimers();
    const attempt = attemptEmbeddings({
      call: call({ operation: 'embeddings', body: { model: 'relay', input: 'hi' } }),
      target,
      timeouts,
      deadline: deadline(),
    });
    await expect(attempt).rejects.toThrow(RangeError);
    expect(vi.getTimerCount()).toBe(0);
  });
});
