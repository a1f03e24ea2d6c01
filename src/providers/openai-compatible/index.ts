export { createOpenAiCompatibleAdapter } from './openai-compatible-adapter.js';
