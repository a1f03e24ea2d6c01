export { createAnthropicAdapter } from './anthropic-adapter.js';
