import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from './contract.js';
import { createImplicitProviders } from './implicit-providers.js';

function adapter(name: string, type: string): ProviderAdapter {
  return { name, type } as ProviderAdapter;
}

function providersOf(...adapters: ProviderAdapter[]): Map<string, ProviderAdapter> {
  return new Map(adapters.map((entry) => [entry.name, entry]));
}

describe('implicit providers', () => {
  it('routes OpenAI and Anthropic model families to providers of their type', () => {
    const lookup = createImplicitProviders(
      providersOf(adapter('eu', 'azure'), adapter('main', 'openai'), adapter('claude', 'anthropic')),
      { mockEnabled: false },
    );
    for (const name of [
      'gpt-4o',
      'o3-mini',
      'chatgpt-4o-latest',
      'text-embedding-3-small',
      'omni-moderation-latest',
    ]) {
      expect(lookup(name)?.name, name).toBe('main');
    }
    expect(lookup('claude-sonnet-4')?.name).toBe('claude');
    expect(lookup('llama-3')).toBeUndefined();
  });

  it('prefers the provider configured under the family’s name, and takes Azure last for OpenAI’s', () => {
    const named = createImplicitProviders(
      providersOf(adapter('first', 'openai'), adapter('openai', 'openai-compatible')),
      { mockEnabled: false },
    );
    expect(named('gpt-4o')?.name).toBe('openai');
    const azureOnly = createImplicitProviders(providersOf(adapter('eu', 'azure')), { mockEnabled: false });
    expect(azureOnly('gpt-4o')?.name).toBe('eu');
  });

  it('gives names containing mock to the mock only when it is enabled, before any other family', () => {
    const providers = providersOf(adapter('mock', 'mock'), adapter('openai', 'openai'));
    expect(createImplicitProviders(providers, { mockEnabled: true })('gpt-mock')?.name).toBe('mock');
    expect(createImplicitProviders(providers, { mockEnabled: false })('gpt-mock')?.name).toBe('openai');
    expect(createImplicitProviders(providers, { mockEnabled: false })('mock-chat')).toBeUndefined();
  });

  it('lets a family without a provider claim nothing, so a later family may', () => {
    const lookup = createImplicitProviders(providersOf(adapter('openai', 'openai')), { mockEnabled: true });
    expect(lookup('gpt-mock')?.name).toBe('openai');
  });
});
