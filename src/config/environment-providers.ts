import type { ConfigProblem, ValueSource } from './config-error.js';
import { isPlainObject, setObjectPath } from './config-path.js';
import type { LayerContext } from './environment-variables.js';
import type { ProviderType } from './schema.js';

/**
 * Providers found from the environment (SPEC section 1: "every real provider whose key is in the
 * environment"), added under a fixed name unless the file configures a provider of that name, in
 * which case the file's settings are used whole. Their values go through the same schema and
 * rules as the file's, with the variable named as the source.
 */

export const defaultAzureApiVersion = '2024-10-21';

interface EnvironmentProvider {
  readonly name: string;
  readonly type: ProviderType;
  /** field → variable; the provider is added only when all of these are set. */
  readonly required: Readonly<Record<string, string>>;
  readonly optional: Readonly<Record<string, string>>;
  readonly defaults: Readonly<Record<string, string>>;
}

export const environmentProviders: readonly EnvironmentProvider[] = [
  {
    name: 'openai',
    type: 'openai',
    required: { api_key: 'OPENAI_API_KEY' },
    optional: { base_url: 'OPENAI_BASE_URL' },
    defaults: {},
  },
  {
    name: 'anthropic',
    type: 'anthropic',
    required: { api_key: 'ANTHROPIC_API_KEY' },
    optional: { base_url: 'ANTHROPIC_BASE_URL' },
    defaults: {},
  },
  {
    name: 'azure',
    type: 'azure',
    required: { api_key: 'AZURE_API_KEY', base_url: 'AZURE_API_BASE' },
    optional: { api_version: 'AZURE_API_VERSION' },
    defaults: { api_version: defaultAzureApiVersion },
  },
  {
    name: 'ollama',
    type: 'openai-compatible',
    required: { base_url: 'OLLAMA_BASE_URL' },
    optional: {},
    defaults: {},
  },
];

/**
 * Ollama's documented address (`http://localhost:11434`) has no path, while its OpenAI-compatible
 * API lives under `/v1`; an address with a path is taken as meant.
 */
export function ollamaApiUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.pathname !== '/' && url.pathname !== '') return text;
  return `${text.replace(/\/+$/, '')}/v1`;
}

function fieldValue(provider: EnvironmentProvider, field: string, text: string): string {
  return provider.name === 'ollama' && field === 'base_url' ? ollamaApiUrl(text) : text;
}

export interface DiscoveryContext extends LayerContext {
  readonly warnings: ConfigProblem[];
}

/** Adds the providers the environment describes; returns the names added. */
export function discoverProviders(
  raw: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  context: DiscoveryContext,
): string[] {
  const isSet = (variable: string): boolean => (env[variable] ?? '') !== '';
  const configured = isPlainObject(raw.providers) ? raw.providers : {};
  const added: string[] = [];
  for (const provider of environmentProviders) {
    const requiredVariables = Object.values(provider.required);
    const anySet = [...requiredVariables, ...Object.values(provider.optional)].some(isSet);
    if (!anySet || Object.hasOwn(configured, provider.name)) continue;
    const missing = requiredVariables.filter((variable) => !isSet(variable));
    if (missing.length > 0) {
      const present = [...requiredVariables, ...Object.values(provider.optional)].filter(isSet);
      context.warnings.push({
        path: `providers.${provider.name}`,
        source: { kind: 'environment', variable: present[0] ?? '' },
        message: `${present.join(', ')} set without ${missing.join(', ')}; provider ${provider.name} is not added from the environment`,
      });
      continue;
    }
    const [trigger = ''] = requiredVariables;
    const triggerSource: ValueSource = { kind: 'environment', variable: trigger };
    const fields: [string, string, ValueSource][] = [['type', provider.type, triggerSource]];
    for (const [field, variable] of Object.entries({ ...provider.required, ...provider.optional })) {
      const text = env[variable] ?? '';
      if (text !== '')
        fields.push([field, fieldValue(provider, field, text), { kind: 'environment', variable }]);
    }
    for (const [field, value] of Object.entries(provider.defaults)) {
      if (!fields.some(([written]) => written === field)) fields.push([field, value, { kind: 'default' }]);
    }
    if (!setObjectPath(raw, ['providers', provider.name], {})) continue;
    context.origins.setValue(['providers', provider.name], triggerSource);
    for (const [field, value, source] of fields) {
      setObjectPath(raw, ['providers', provider.name, field], value);
      context.origins.setValue(['providers', provider.name, field], source);
    }
    added.push(provider.name);
  }
  return added;
}
