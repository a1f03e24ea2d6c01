import type { ProviderConfig } from '../../config/schema.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';

const defaultBaseUrl = 'https://api.openai.com/v1';

/** OpenAI's own API: Bearer auth, `/chat/completions`, `/embeddings`, `/models`. */
export function createOpenAiAdapter(
  name: string,
  config: ProviderConfig,
  options: AdapterOptions,
): ProviderAdapter {
  return createHttpAdapter(name, config, options, {
    type: 'openai',
    dialects: ['openai'],
    baseUrl: config.base_url ?? defaultBaseUrl,
    headers: {
      ...config.headers,
      ...(config.api_key === undefined ? {} : { authorization: `Bearer ${config.api_key}` }),
    },
    supportsEmbeddings: true,
    // OpenAI chat models do not continue a trailing assistant message; they answer after it.
    supportsPrefill: config.supports_prefill ?? false,
    pathOf: (request) => (request.operation === 'chat' ? '/chat/completions' : '/embeddings'),
    modelsPath: '/models',
  });
}
