import { isAnthropicModelName } from './anthropic/index.js';
import type { ProviderAdapter } from './contract.js';
import { isMockModelName } from './mock/index.js';
import { isOpenAiModelName } from './openai/index.js';

/** A model family a caller may name without configuring it, and who serves it. */
interface ImplicitFamily {
  readonly isMember: (modelName: string) => boolean;
  /** The provider configured under the family's own name first, else the first of these types. */
  readonly preferredName: string;
  readonly types: readonly string[];
}

/**
 * The order in which families claim a name: a name containing `mock` goes to the built-in mock
 * before any other family could claim it (`gpt-mock` rehearses an OpenAI model), then OpenAI's
 * families (Azure OpenAI serves the same models, so it is the last resort for them), then
 * Anthropic's. Only the mock is looked up by name alone: it serves any name, not a model family.
 */
function familiesInOrder(options: ImplicitProviderOptions): readonly ImplicitFamily[] {
  const mock: ImplicitFamily = { isMember: isMockModelName, preferredName: 'mock', types: [] };
  return [
    ...(options.mockEnabled ? [mock] : []),
    { isMember: isOpenAiModelName, preferredName: 'openai', types: ['openai', 'azure'] },
    { isMember: isAnthropicModelName, preferredName: 'anthropic', types: ['anthropic'] },
  ];
}

export interface ImplicitProviderOptions {
  /** The built-in mock serves names containing `mock` (configuration `mock.enabled`). */
  readonly mockEnabled: boolean;
}

/**
 * The provider that serves a model name no configured model has, by the name's family, or
 * undefined. Each family's provider is found once, here; a family without one claims nothing.
 */
export function createImplicitProviders(
  providers: ReadonlyMap<string, ProviderAdapter>,
  options: ImplicitProviderOptions,
): (modelName: string) => ProviderAdapter | undefined {
  const served: { readonly isMember: (modelName: string) => boolean; readonly provider: ProviderAdapter }[] =
    [];
  for (const family of familiesInOrder(options)) {
    const provider = providerOf(providers, family);
    if (provider !== undefined) served.push({ isMember: family.isMember, provider });
  }
  return (modelName) => served.find((family) => family.isMember(modelName))?.provider;
}

function providerOf(
  providers: ReadonlyMap<string, ProviderAdapter>,
  family: ImplicitFamily,
): ProviderAdapter | undefined {
  const named = providers.get(family.preferredName);
  if (named !== undefined) return named;
  for (const type of family.types) {
    for (const provider of providers.values()) if (provider.type === type) return provider;
  }
  return undefined;
}
