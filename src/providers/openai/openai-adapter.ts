import type { ProviderConfig } from '../../config/schema.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter, UpstreamRequest } from '../contract.js';
import { createHttpUpstream } from '../http-upstream.js';
import { readModelIds } from '../model-list.js';

const defaultBaseUrl = 'https://api.openai.com/v1';

/** OpenAI's own API: Bearer auth, `/chat/completions`, `/embeddings`, `/models`. */
export function createOpenAiAdapter(
  name: string,
  config: ProviderConfig,
  options: AdapterOptions,
): ProviderAdapter {
  const upstream = createHttpUpstream({
    providerName: name,
    baseUrl: config.base_url ?? defaultBaseUrl,
    connections: config.max_connections,
    connectTimeoutMs: options.connectTimeoutMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const fixedHeaders: Record<string, string> = { ...config.headers };
  if (config.api_key !== undefined) {
    fixedHeaders.authorization = `Bearer ${config.api_key}`;
  }

  return {
    name,
    type: 'openai',
    dialects: ['openai'],
    supportsEmbeddings: true,
    // OpenAI chat models do not continue a trailing assistant message; they answer after it.
    supportsPrefill: config.supports_prefill ?? false,
    send: (request: UpstreamRequest) =>
      upstream.send({
        path: request.operation === 'chat' ? '/chat/completions' : '/embeddings',
        headers: { ...fixedHeaders, ...request.headers },
        body: JSON.stringify(request.body),
        signal: request.signal,
      }),
    listModels: async (signal) =>
      readModelIds(await upstream.send({ path: '/models', method: 'GET', headers: fixedHeaders, signal })),
    close: () => upstream.close(),
  };
}
