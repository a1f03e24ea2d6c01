import type { Config } from '../config/schema.js';
import type { ProviderAdapter } from '../providers/contract.js';
import type { ModelRoute } from './types.js';

export interface ModelResolver {
  resolve(name: string): ModelRoute | undefined;
  /** Configured model names (what `GET /v1/models` lists, with the mock when enabled). */
  configuredNames(): readonly string[];
}

/** Implicitly routed names are remembered, but never more than this many (names come from callers). */
const implicitCacheLimit = 1_000;

/**
 * Maps a client-facing model name to its route: configured models first; then `provider/model`;
 * then a name containing `mock` to the built-in mock; then well-known name prefixes to the
 * provider found for them (`gpt-*` → OpenAI or Azure, `claude-*` → Anthropic).
 */
export function createModelResolver(
  config: Config,
  providers: ReadonlyMap<string, ProviderAdapter>,
): ModelResolver {
  const configured = new Map<string, ModelRoute>();
  for (const [name, model] of Object.entries(config.models)) {
    configured.set(name, {
      name,
      strategy: model.strategy,
      targets: model.targets.map((target) => ({
        provider: requireProvider(providers, target.provider, name),
        model: target.model,
        weight: target.weight,
      })),
      fallbacks: model.fallbacks,
      contextFallbacks: model.context_fallbacks,
      contextWindow: model.context_window,
      retry: model.retry,
      timeouts: model.timeouts,
    });
  }
  const implicit = new Map<string, ModelRoute>();
  const byType = (type: string): ProviderAdapter | undefined =>
    [...providers.values()].find((provider) => provider.type === type);

  function implicitProvider(name: string): { provider: ProviderAdapter; model: string } | undefined {
    const slash = name.indexOf('/');
    if (slash > 0) {
      const provider = providers.get(name.slice(0, slash));
      if (provider !== undefined) return { provider, model: name.slice(slash + 1) };
    }
    if (config.mock.enabled && name.includes('mock')) {
      const mock = providers.get('mock');
      if (mock !== undefined) return { provider: mock, model: name };
    }
    if (/^(gpt-|o\d|chatgpt-|text-embedding-|omni-moderation)/.test(name)) {
      const provider = providers.get('openai') ?? byType('openai') ?? byType('azure');
      if (provider !== undefined) return { provider, model: name };
    }
    if (name.startsWith('claude-')) {
      const provider = providers.get('anthropic') ?? byType('anthropic');
      if (provider !== undefined) return { provider, model: name };
    }
    return undefined;
  }

  return {
    resolve(name) {
      const route = configured.get(name) ?? implicit.get(name);
      if (route !== undefined) return route;
      const found = implicitProvider(name);
      if (found === undefined) return undefined;
      const created: ModelRoute = {
        name,
        strategy: 'fallback',
        targets: [{ provider: found.provider, model: found.model, weight: 1 }],
        fallbacks: [],
        contextFallbacks: [],
        contextWindow: undefined,
        retry: config.defaults.retry,
        timeouts: config.defaults.timeouts,
      };
      if (implicit.size >= implicitCacheLimit) implicit.clear();
      implicit.set(name, created);
      return created;
    },
    configuredNames: () => [...configured.keys()],
  };
}

function requireProvider(
  providers: ReadonlyMap<string, ProviderAdapter>,
  name: string,
  model: string,
): ProviderAdapter {
  const provider = providers.get(name);
  // Configuration validation rejects unknown providers at start; this guards the invariant.
  if (provider === undefined) throw new Error(`model ${model} names unknown provider ${name}`);
  return provider;
}
