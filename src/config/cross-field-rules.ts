import type { Origins } from './origins.js';
import { describeValue, type ProblemCollector } from './problem-collector.js';
import type { Config, ProviderConfig } from './schema.js';

/**
 * Rules that span fields, checked once the schema has accepted every field on its own: each
 * provider has what its type needs, model targets name providers that exist, fallbacks name
 * models that exist and never lead back to where they started.
 */

interface RuleContext {
  readonly origins: Origins;
  readonly problems: ProblemCollector;
}

type ProviderField = 'api_key' | 'base_url' | 'api_version';

/** What each provider type cannot work without. */
const requiredFields: Readonly<Record<ProviderConfig['type'], readonly ProviderField[]>> = {
  openai: ['api_key'],
  anthropic: ['api_key'],
  azure: ['base_url', 'api_key', 'api_version'],
  'openai-compatible': ['base_url'],
  mock: [],
};

function checkProviders(config: Config, { origins, problems }: RuleContext): void {
  for (const [name, provider] of Object.entries(config.providers)) {
    // The schema accepts any URL; `localhost:11434` parses as one with the scheme `localhost:`.
    if (provider.base_url !== undefined && !/^https?:\/\//i.test(provider.base_url)) {
      const path = ['providers', name, 'base_url'];
      const source = origins.valueSource(path);
      const found = describeValue(provider.base_url, path, source);
      problems.add(path, source, `expected an http:// or https:// URL, got ${found}`);
    }
    const required = requiredFields[provider.type];
    for (const field of required) {
      if (provider[field] !== undefined) continue;
      const path = ['providers', name, field];
      problems.add(
        path,
        origins.valueSource(path),
        `missing; a provider of type ${provider.type} needs ${required.join(', ')}`,
      );
    }
  }
}

function checkPorts(config: Config, { origins, problems }: RuleContext): void {
  const { port, metrics_port: metricsPort } = config.server;
  // Port 0 means "any free port" for the server and "off" for metrics, so 0 never collides.
  if (port === 0 || metricsPort !== port) return;
  const path = ['server', 'metrics_port'];
  problems.add(path, origins.valueSource(path), `must differ from server.port (${port}); 0 turns it off`);
}

function checkTargets(config: Config, { origins, problems }: RuleContext): void {
  const known = Object.keys(config.providers);
  for (const [modelName, model] of Object.entries(config.models)) {
    for (const [index, target] of model.targets.entries()) {
      if (Object.hasOwn(config.providers, target.provider)) continue;
      if (target.provider === 'mock' && config.mock.enabled) continue;
      const path = ['models', modelName, 'targets', index, 'provider'];
      const available = config.mock.enabled ? [...known, 'mock'] : known;
      const message =
        target.provider === 'mock'
          ? 'the built-in mock provider is disabled (mock.enabled: false)'
          : `unknown provider "${target.provider}"; known providers: ${available.length === 0 ? 'none' : available.join(', ')}`;
      problems.add(path, origins.valueSource(path), message);
    }
  }
}

function checkFallbacks(config: Config, { origins, problems }: RuleContext): void {
  const models = Object.keys(config.models);
  for (const [modelName, model] of Object.entries(config.models)) {
    for (const list of ['fallbacks', 'context_fallbacks'] as const) {
      for (const [index, fallback] of model[list].entries()) {
        if (Object.hasOwn(config.models, fallback)) continue;
        const path = ['models', modelName, list, index];
        problems.add(
          path,
          origins.valueSource(path),
          `"${fallback}" is not a configured model; ${list} name entries of models: (${models.join(', ')})`,
        );
      }
    }
  }
  // Depth-first search; a model reached again while still on the current chain closes a cycle.
  const finished = new Set<string>();
  const chain: string[] = [];
  const visit = (name: string): void => {
    if (finished.has(name)) return;
    const position = chain.indexOf(name);
    if (position !== -1) {
      const cycle = [...chain.slice(position), name];
      const from = chain.at(-1) ?? name;
      const index = config.models[from]?.fallbacks.indexOf(name) ?? 0;
      const path = ['models', from, 'fallbacks', index];
      problems.add(path, origins.valueSource(path), `fallback cycle: ${cycle.join(' → ')}`);
      return;
    }
    chain.push(name);
    for (const fallback of config.models[name]?.fallbacks ?? []) {
      if (Object.hasOwn(config.models, fallback)) visit(fallback);
    }
    chain.pop();
    finished.add(name);
  };
  for (const name of models) visit(name);
}

function checkTracing(config: Config, { origins, problems }: RuleContext): void {
  if (config.tracing.mode !== 'langfuse') return;
  for (const field of ['public_key', 'secret_key'] as const) {
    if (config.tracing.langfuse[field] !== undefined) continue;
    const path = ['tracing', 'langfuse', field];
    problems.add(path, origins.valueSource(['tracing', 'mode']), `required when tracing.mode is langfuse`);
  }
}

function checkCache(config: Config, { origins, problems }: RuleContext): void {
  if (config.cache.l2_enabled === true && config.redis_url === undefined) {
    const path = ['cache', 'l2_enabled'];
    problems.add(path, origins.valueSource(path), 'the L2 cache needs redis_url');
  }
  for (const [name, model] of Object.entries(config.cache.models)) {
    if (model.ttl_seconds !== undefined && model.ttl_seconds > config.cache.max_ttl_seconds) {
      const path = ['cache', 'models', name, 'ttl_seconds'];
      problems.add(
        path,
        origins.valueSource(path),
        `at most cache.max_ttl_seconds (${config.cache.max_ttl_seconds})`,
      );
    }
  }
}

export function checkCrossFieldRules(config: Config, context: RuleContext): void {
  checkTracing(config, context);
  checkCache(config, context);
  checkProviders(config, context);
  checkPorts(config, context);
  checkTargets(config, context);
  checkFallbacks(config, context);
}
