export { createAnthropicAdapter } from './anthropic-adapter.js';
export { isAnthropicModelName } from './anthropic-model-names.js';
