import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors/index.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpAdapter } from '../http-adapter.js';

const defaultBaseUrl = 'https://api.anthropic.com';
/** The API version every current Messages feature works with; a caller may send its own. */
const defaultVersion = '2023-06-01';

/** Anthropic's Messages API: `x-api-key` and `anthropic-version` headers, `/v1/messages`. */
export function createAnthropicAdapter(
  name: string,
  config: ProviderConfig,
  options: AdapterOptions,
): ProviderAdapter {
  return createHttpAdapter(name, config, options, {
    type: 'anthropic',
    dialects: ['anthropic'],
    baseUrl: config.base_url ?? defaultBaseUrl,
    headers: {
      'anthropic-version': defaultVersion,
      ...config.headers,
      ...(config.api_key === undefined ? {} : { 'x-api-key': config.api_key }),
    },
    supportsEmbeddings: false,
    // Claude continues a trailing assistant message ("prefill"); some models refuse it, and the
    // configuration can say so.
    supportsPrefill: config.supports_prefill ?? true,
    pathOf: (request) =>
      request.operation === 'chat'
        ? '/v1/messages'
        : {
            ok: false,
            failure: {
              kind: 'http',
              error: new GatewayError('invalid_request', `Provider ${name} does not serve embeddings.`),
            },
          },
    modelsPath: '/v1/models',
  });
}
