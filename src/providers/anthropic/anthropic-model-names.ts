/** Anthropic's models are all named `claude-*`; a caller may name one without configuring a model. */
export function isAnthropicModelName(name: string): boolean {
  return name.startsWith('claude-');
}
