import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../providers/contract.js';
import { createModelResolver } from './model-resolver.js';
import type { RetrySettings, TimeoutSettings } from './routing-settings.js';

const retry = { attempts: 1 } as RetrySettings;
const timeouts = { totalMs: 1 } as TimeoutSettings;
const up = { name: 'up', type: 'openai-compatible' } as ProviderAdapter;
const family = { name: 'family', type: 'openai' } as ProviderAdapter;

function resolverWith(claimed: readonly string[]) {
  return createModelResolver({
    settings: {
      models: new Map([
        [
          'chat',
          {
            strategy: 'fallback',
            targets: [{ provider: 'up', model: 'up-chat', weight: 1 }],
            fallbacks: [],
            contextFallbacks: [],
            contextWindow: undefined,
            retry,
            timeouts,
          },
        ],
      ]),
      defaults: { retry, timeouts },
    },
    providers: new Map([
      ['up', up],
      ['family', family],
    ]),
    implicitProvider: (name) => (claimed.includes(name) ? family : undefined),
  });
}

describe('the model resolver', () => {
  it('resolves configured models first, then provider/model, then what a provider claims', () => {
    const resolver = resolverWith(['gpt-x', 'chat']);
    expect(resolver.resolve('chat')?.targets[0]).toMatchObject({ provider: up, model: 'up-chat' });
    expect(resolver.resolve('up/any-model')?.targets[0]).toMatchObject({ provider: up, model: 'any-model' });
    const claimed = resolver.resolve('gpt-x');
    expect(claimed).toMatchObject({ strategy: 'fallback', retry, timeouts });
    expect(claimed?.targets[0]).toMatchObject({ provider: family, model: 'gpt-x' });
    expect(resolver.resolve('gpt-x')).toBe(claimed);
    expect(resolver.resolve('unknown')).toBeUndefined();
    expect(resolver.configuredNames()).toEqual(['chat']);
  });

  it('asks the providers only about a provider/model name whose provider is not configured', () => {
    const resolver = resolverWith(['nowhere/gpt-x']);
    expect(resolver.resolve('nowhere/gpt-x')?.targets[0]?.provider).toBe(family);
  });
});
