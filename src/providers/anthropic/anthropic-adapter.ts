import type { ProviderConfig } from '../../config/schema.js';
import { GatewayError } from '../../errors/index.js';
import type { AdapterOptions } from '../adapter-options.js';
import type { ProviderAdapter } from '../contract.js';
import { createHttpUpstream } from '../http-upstream.js';
import { readModelIds } from '../model-list.js';

const defaultBaseUrl = 'https://api.anthropic.com';
/** The API version every current Messages feature works with; a caller may send its own. */
const defaultVersion = '2023-06-01';

/** Anthropic's Messages API: `x-api-key` and `anthropic-version` headers, `/v1/messages`. */
export function createAnthropicAdapter(
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
  const fixedHeaders: Record<string, string> = { 'anthropic-version': defaultVersion, ...config.headers };
  if (config.api_key !== undefined) fixedHeaders['x-api-key'] = config.api_key;

  return {
    name,
    type: 'anthropic',
    dialects: ['anthropic'],
    supportsEmbeddings: false,
    // Claude continues a trailing assistant message ("prefill"); some models refuse it, and the
    // configuration can say so.
    supportsPrefill: config.supports_prefill ?? true,
    send: (request) => {
      if (request.operation !== 'chat') {
        return Promise.resolve({
          ok: false,
          failure: {
            kind: 'http',
            error: new GatewayError('invalid_request', `Provider ${name} does not serve embeddings.`),
          },
        });
      }
      return upstream.send({
        path: '/v1/messages',
        headers: { ...fixedHeaders, ...request.headers },
        body: JSON.stringify(request.body),
        signal: request.signal,
      });
    },
    listModels: async (signal) =>
      readModelIds(await upstream.send({ path: '/v1/models', method: 'GET', headers: fixedHeaders, signal })),
    close: () => upstream.close(),
  };
}
