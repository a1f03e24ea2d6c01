import type { ProviderAdapter } from '../providers/contract.js';
import type { ModelSettings, RoutingSettings } from './routing-settings.js';
import type { ModelRoute } from './types.js';

export interface ModelResolver {
  resolve(name: string): ModelRoute | undefined;
  /** Configured model names (what `GET /v1/models` lists, with the mock when enabled). */
  configuredNames(): readonly string[];
}

export interface ModelResolverDependencies {
  readonly settings: RoutingSettings;
  /** Configured providers by name. */
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  /** The provider that serves an unconfigured model name by its family, as the providers decide. */
  readonly implicitProvider: (modelName: string) => ProviderAdapter | undefined;
}

/** Implicitly routed names are remembered, but never more than this many (names come from callers). */
const implicitCacheLimit = 1_000;

/**
 * Maps a client-facing model name to its route: configured models first; then `provider/model`;
 * then whatever provider claims the name (`implicitProvider`).
 */
export function createModelResolver(dependencies: ModelResolverDependencies): ModelResolver {
  const { settings, providers } = dependencies;
  const configured = new Map<string, ModelRoute>();
  for (const [name, model] of settings.models) configured.set(name, configuredRoute(name, model, providers));
  const implicit = new Map<string, ModelRoute>();

  function implicitTarget(name: string): { provider: ProviderAdapter; model: string } | undefined {
    const slash = name.indexOf('/');
    if (slash > 0) {
      const provider = providers.get(name.slice(0, slash));
      if (provider !== undefined) return { provider, model: name.slice(slash + 1) };
    }
    const provider = dependencies.implicitProvider(name);
    return provider === undefined ? undefined : { provider, model: name };
  }

  return {
    resolve(name) {
      const route = configured.get(name) ?? implicit.get(name);
      if (route !== undefined) return route;
      const found = implicitTarget(name);
      if (found === undefined) return undefined;
      const created: ModelRoute = {
        name,
        strategy: 'fallback',
        targets: [{ provider: found.provider, model: found.model, weight: 1 }],
        fallbacks: [],
        contextFallbacks: [],
        contextWindow: undefined,
        retry: settings.defaults.retry,
        timeouts: settings.defaults.timeouts,
      };
      if (implicit.size >= implicitCacheLimit) implicit.clear();
      implicit.set(name, created);
      return created;
    },
    configuredNames: () => [...configured.keys()],
  };
}

function configuredRoute(
  name: string,
  model: ModelSettings,
  providers: ReadonlyMap<string, ProviderAdapter>,
): ModelRoute {
  return {
    name,
    strategy: model.strategy,
    targets: model.targets.map((target) => ({
      provider: requireProvider(providers, target.provider, name),
      model: target.model,
      weight: target.weight,
    })),
    fallbacks: model.fallbacks,
    contextFallbacks: model.contextFallbacks,
    contextWindow: model.contextWindow,
    retry: model.retry,
    timeouts: model.timeouts,
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
