import type { ProviderConfig } from '../../config/schema.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';

/**
 * Any server that speaks OpenAI's API under a base URL (Ollama, vLLM, llama.cpp server, hosted
 * compatible APIs). The key is optional: local servers usually have none.
 */
export function createOpenAiCompatibleAdapter(
  name: string,
  config: ProviderConfig,
  options: AdapterOptions,
): ProviderAdapter {
  if (config.base_url === undefined) throw new Error(`provider ${name}: base_url is required`);
  return createHttpAdapter(name, config, options, {
    type: 'openai-compatible',
    dialects: ['openai'],
    baseUrl: config.base_url,
    headers: {
      ...config.headers,
      ...(config.api_key === undefined ? {} : { authorization: `Bearer ${config.api_key}` }),
    },
    supportsEmbeddings: true,
    supportsPrefill: config.supports_prefill ?? false,
    pathOf: (request) => (request.operation === 'chat' ? '/chat/completions' : '/embeddings'),
    modelsPath: '/models',
  });
}
