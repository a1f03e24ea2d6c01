import type { Config } from '../config/schema.js';
import type { AdapterOptions } from './adapter-options.js';
import { createAnthropicAdapter } from './anthropic/index.js';
import { createAzureAdapter } from './azure/index.js';
import type { ProviderAdapter } from './contract.js';
import { createMockAdapter, createMockResponder } from './mock/index.js';
import { createOpenAiCompatibleAdapter } from './openai-compatible/index.js';
import { createOpenAiAdapter } from './openai/index.js';

/**
 * Builds one adapter per configured provider, plus the built-in `mock` provider when enabled
 * and not configured under that name.
 */
export function createProviders(config: Config, options: AdapterOptions): Map<string, ProviderAdapter> {
  const providers = new Map<string, ProviderAdapter>();
  for (const [name, provider] of Object.entries(config.providers)) {
    switch (provider.type) {
      case 'openai':
        providers.set(name, createOpenAiAdapter(name, provider, options));
        break;
      case 'azure':
        providers.set(name, createAzureAdapter(name, provider, options));
        break;
      case 'anthropic':
        providers.set(name, createAnthropicAdapter(name, provider, options));
        break;
      case 'openai-compatible':
        providers.set(name, createOpenAiCompatibleAdapter(name, provider, options));
        break;
      case 'mock': {
        const adapter = createMockAdapter({
          name,
          responder: createMockResponder({ now: options.now ?? Date.now }),
        });
        // A configured mock can play a provider that refuses prefills, to rehearse recovery.
        providers.set(name, {
          ...adapter,
          supportsPrefill: provider.supports_prefill ?? adapter.supportsPrefill,
        });
        break;
      }
      default: {
        const unreachable: never = provider.type;
        throw new Error(`unknown provider type ${String(unreachable)}`);
      }
    }
  }
  if (config.mock.enabled && !providers.has('mock')) {
    providers.set(
      'mock',
      createMockAdapter({ name: 'mock', responder: createMockResponder({ now: options.now ?? Date.now }) }),
    );
  }
  return providers;
}
