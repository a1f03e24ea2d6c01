import type { ProviderConfig } from '../../config/schema.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';
import { pathSegment } from '../path-segment.js';

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
  return createHttpAdapter(name, config, options, {
    type: 'azure',
    dialects: ['openai'],
    baseUrl: config.base_url,
    headers: { ...config.headers, ...(config.api_key === undefined ? {} : { 'api-key': config.api_key }) },
    supportsEmbeddings: true,
    supportsPrefill: config.supports_prefill ?? false,
    pathOf: (request) => {
      const deployment = pathSegment(request.model, name);
      if (typeof deployment !== 'string') return deployment;
      const operation = request.operation === 'chat' ? 'chat/completions' : 'embeddings';
      return `/openai/deployments/${deployment}/${operation}?api-version=${apiVersion}`;
    },
    modelsPath: `/openai/models?api-version=${apiVersion}`,
  });
}
