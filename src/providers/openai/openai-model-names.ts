/**
 * OpenAI's model families (chat, reasoning, embeddings, moderation): a caller may name one of
 * these without configuring a model, and it is routed to an OpenAI-speaking provider.
 */
const openAiModelName = /^(gpt-|o\d|chatgpt-|text-embedding-|omni-moderation)/;

export function isOpenAiModelName(name: string): boolean {
  return openAiModelName.test(name);
}
