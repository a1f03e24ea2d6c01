import type { ProviderConfig } from '../config/schema.js';
import type { Dialect } from '../llm/index.js';
import type { AdapterOptions } from './adapter-options.js';
import type { ProviderAdapter, UpstreamOutcome, UpstreamRequest } from './contract.js';
import { createHttpUpstream } from './http-upstream.js';
import { readModelIds } from './model-list.js';

/** What distinguishes one HTTP provider from another; everything else is shared. */
export interface HttpProviderShape {
  readonly type: string;
  readonly dialects: readonly Dialect[];
  readonly baseUrl: string;
  /** Headers on every request, credentials included. */
  readonly headers: Readonly<Record<string, string>>;
  readonly supportsEmbeddings: boolean;
  readonly supportsPrefill: boolean;
  /** The path (with query) of an operation for a model, or a failure when the provider has none. */
  readonly pathOf: (request: UpstreamRequest) => string | UpstreamOutcome;
  readonly modelsPath: string;
}

/** An adapter over one keep-alive pool, shaped by a provider's own URL, header and auth rules. */
export function createHttpAdapter(
  name: string,
  config: ProviderConfig,
  options: AdapterOptions,
  shape: HttpProviderShape,
): ProviderAdapter {
  const upstream = createHttpUpstream({
    providerName: name,
    baseUrl: shape.baseUrl,
    connections: config.max_connections,
    connectTimeoutMs: options.connectTimeoutMs,
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return {
    name,
    type: shape.type,
    dialects: shape.dialects,
    supportsEmbeddings: shape.supportsEmbeddings,
    supportsPrefill: shape.supportsPrefill,
    baseUrl: shape.baseUrl,
    send(request) {
      const path = shape.pathOf(request);
      if (typeof path !== 'string') return Promise.resolve(path);
      return upstream.send({
        path,
        headers: { ...shape.headers, ...request.headers },
        body: JSON.stringify(request.body),
        signal: request.signal,
        stream: request.stream,
      });
    },
    listModels: async (signal) =>
      readModelIds(
        await upstream.send({ path: shape.modelsPath, method: 'GET', headers: shape.headers, signal }),
      ),
    close: () => upstream.close(),
  };
}
