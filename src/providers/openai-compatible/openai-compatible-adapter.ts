import type { ProviderConfig } from '../../config/schema.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpUpstream } from '../http-upstream.js';
import { readModelIds } from '../model-list.js';

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
  const upstream = createHttpUpstream({
    providerName: name,
    baseUrl: config.base_url,
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
    type: 'openai-compatible',
    dialects: ['openai'],
    supportsEmbeddings: true,
    supportsPrefill: config.supports_prefill ?? false,
    send: (request) =>
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
