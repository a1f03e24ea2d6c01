import type { ProviderConfig } from '../../config/schema.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpUpstream } from '../http-upstream.js';
import { readModelIds } from '../model-list.js';

/**
 * Azure OpenAI: the target model is a deployment name in the path, the API version a query
 * parameter, and the key goes in an `api-key` header instead of Bearer auth.
 * https://learn.microsoft.com/azure/ai-services/openai/reference
 */
export function createAzureAdapter(
  name: string,
  config: ProviderConfig,
  options: AdapterOptions,
): ProviderAdapter {
  if (config.base_url === undefined || config.api_version === undefined) {
    throw new Error(`provider ${name}: base_url and api_version are required`);
  }
  const apiVersion = encodeURIComponent(config.api_version);
  const upstream = createHttpUpstream({
    providerName: name,
    baseUrl: config.base_url,
    connections: config.max_connections,
    connectTimeoutMs: options.connectTimeoutMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const fixedHeaders: Record<string, string> = { ...config.headers };
  if (config.api_key !== undefined) fixedHeaders['api-key'] = config.api_key;

  return {
    name,
    type: 'azure',
    dialects: ['openai'],
    supportsEmbeddings: true,
    supportsPrefill: config.supports_prefill ?? false,
    send: (request) => {
      const operation = request.operation === 'chat' ? 'chat/completions' : 'embeddings';
      return upstream.send({
        path: `/openai/deployments/${encodeURIComponent(request.model)}/${operation}?api-version=${apiVersion}`,
        headers: { ...fixedHeaders, ...request.headers },
        body: JSON.stringify(request.body),
        signal: request.signal,
      });
    },
    listModels: async (signal) =>
      readModelIds(
        await upstream.send({
          path: `/openai/models?api-version=${apiVersion}`,
          method: 'GET',
          headers: fixedHeaders,
          signal,
        }),
      ),
    close: () => upstream.close(),
  };
}
