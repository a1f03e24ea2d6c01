export { createOpenAiAdapter } from './openai-adapter.js';
