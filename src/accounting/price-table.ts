/**
 * The shipped price table, in USD per 1M tokens, as published by the providers on `pricesAsOf`.
 *
 * PRICES CHANGE. This table is a convenience, not a source of truth: check it against the
 * providers' pricing pages (https://openai.com/api/pricing, https://www.anthropic.com/pricing,
 * Azure's regional price list) and override what differs in the `pricing` section of the
 * configuration, keyed `provider/model` or `model` (see docs/accounting.md). Overrides always win.
 *
 * Not modelled: batch and flex discounts, priority tiers, Azure regional or provisioned pricing,
 * long-context surcharges, audio and image output tokens, and Anthropic's one-hour cache writes
 * (2× input instead of 1.25×: usage does not say which TTL a write used, so all are priced as
 * five-minute writes). Reasoning tokens are output tokens and are billed as such.
 */
export const pricesAsOf = '2026-02-15';

export interface TablePrice {
  readonly input: number;
  readonly output: number;
  /** Input tokens read from the provider's prompt cache. */
  readonly cachedInput: number;
  /** Input tokens written to the prompt cache (Anthropic charges 1.25× input; OpenAI nothing extra). */
  readonly cacheWrite: number;
}

/** OpenAI prices; Azure OpenAI bills the same models at the same global list prices. */
function openai(input: number, cachedInput: number, output: number): TablePrice {
  return { input, output, cachedInput, cacheWrite: input };
}

/** Anthropic: cache reads cost 0.1× input, five-minute cache writes 1.25× input (unless listed). */
function anthropic(input: number, output: number, cachedInput?: number, cacheWrite?: number): TablePrice {
  return {
    input,
    output,
    cachedInput: cachedInput ?? round(input * 0.1),
    cacheWrite: cacheWrite ?? round(input * 1.25),
  };
}

function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * Keys are lower-case model names. A dated snapshot or alias (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`) finds its family through the longest key that is a prefix of it
 * at a `-` boundary, so only snapshots priced differently from their family need their own entry.
 */
export const priceTable: Readonly<Record<string, TablePrice>> = {
  // OpenAI: GPT-5 family (cached input at 0.1× input).
  'gpt-5': openai(1.25, 0.125, 10),
  'gpt-5-mini': openai(0.25, 0.025, 2),
  'gpt-5-nano': openai(0.05, 0.005, 0.4),
  'gpt-5-pro': openai(15, 15, 120),
  'gpt-5.1': openai(1.25, 0.125, 10),
  'gpt-5.1-codex-mini': openai(0.25, 0.025, 2),
  'gpt-5.2': openai(1.75, 0.175, 14),
  // GPT-4.1 family (cached input at 0.25× input).
  'gpt-4.1': openai(2, 0.5, 8),
  'gpt-4.1-mini': openai(0.4, 0.1, 1.6),
  'gpt-4.1-nano': openai(0.1, 0.025, 0.4),
  // GPT-4o family (cached input at 0.5× input); the first snapshot kept its launch price.
  'gpt-4o': openai(2.5, 1.25, 10),
  'gpt-4o-2024-05-13': openai(5, 5, 15),
  'chatgpt-4o-latest': openai(5, 5, 15),
  'gpt-4o-mini': openai(0.15, 0.075, 0.6),
  'gpt-4.5-preview': openai(75, 37.5, 150),
  // Reasoning models.
  o1: openai(15, 7.5, 60),
  'o1-mini': openai(1.1, 0.55, 4.4),
  'o1-pro': openai(150, 150, 600),
  o3: openai(2, 0.5, 8),
  'o3-mini': openai(1.1, 0.55, 4.4),
  'o3-pro': openai(20, 20, 80),
  'o4-mini': openai(1.1, 0.275, 4.4),
  // Older chat models.
  'gpt-4-turbo': openai(10, 10, 30),
  'gpt-4': openai(30, 30, 60),
  'gpt-4-32k': openai(60, 60, 120),
  'gpt-3.5-turbo': openai(0.5, 0.5, 1.5),
  // Embeddings (input only).
  'text-embedding-3-small': openai(0.02, 0.02, 0),
  'text-embedding-3-large': openai(0.13, 0.13, 0),
  'text-embedding-ada-002': openai(0.1, 0.1, 0),

  // Anthropic: Claude 4.x.
  'claude-opus-4-6': anthropic(5, 25),
  'claude-opus-4-5': anthropic(5, 25),
  'claude-opus-4-1': anthropic(15, 75),
  'claude-opus-4': anthropic(15, 75),
  'claude-sonnet-4-6': anthropic(3, 15),
  'claude-sonnet-4-5': anthropic(3, 15),
  'claude-sonnet-4': anthropic(3, 15),
  'claude-haiku-4-5': anthropic(1, 5),
  // Claude 3.x.
  'claude-3-7-sonnet': anthropic(3, 15),
  'claude-3-5-sonnet': anthropic(3, 15),
  'claude-3-5-haiku': anthropic(0.8, 4),
  'claude-3-opus': anthropic(15, 75),
  // Haiku 3's cache rates are listed rounded up, not at the usual ratios.
  'claude-3-haiku': anthropic(0.25, 1.25, 0.03, 0.3),
};
