/**
 * Configuration: read once at start from flags, environment, file and defaults into one typed,
 * frozen object. Only this module and main.ts know about the environment.
 */
export {
  loadConfig,
  defaultConfigFileName,
  type ConfigFlags,
  type ConfigSources,
  type LoadConfigInput,
  type LoadResult,
} from './load.js';
export {
  describeSource,
  formatProblem,
  formatProblems,
  type ConfigProblem,
  type ValueSource,
} from './config-error.js';
export { parseResourceAttributes } from './resource-attributes.js';
export { maskSecret, maskedConfig, maskUrlCredentials } from './mask.js';
export {
  configuredSecrets,
  createSecretScrubber,
  redactedMarker,
  type SecretScrubber,
} from './secret-scrubber.js';
export { starterConfigYaml } from './starter-template.js';
export { environmentVariables } from './environment-variables.js';
export { defaultAzureApiVersion, environmentProviders } from './environment-providers.js';
export {
  configSchema,
  providerTypes,
  type Config,
  type ConfigInput,
  type ModelConfig,
  type ProviderConfig,
  type ProviderType,
  type RetryConfig,
  type TargetConfig,
  type TimeoutsConfig,
} from './schema.js';
