export { createOpenAiAdapter } from './openai-adapter.js';
export { isOpenAiModelName } from './openai-model-names.js';
