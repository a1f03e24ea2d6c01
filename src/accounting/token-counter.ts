import type { Dialect, Usage } from '../llm/index.js';
import { walkPrompt, type PromptVisitor } from './prompt-walk.js';

/**
 * Token counts for when a provider reports no usage, and prompt estimates for token limits and
 * budgets before a call.
 *
 * Two prompt estimates, for two jobs:
 * - `estimatePromptTokensFast` (characters / 4, no tokenizer) runs on every request, before the
 *   call, for tokens-per-minute limits and budget reservations. It costs microseconds and is
 *   corrected with the provider's actual usage afterwards, so its error never reaches a bill.
 * - `TokenCounter.estimatePromptTokens` (a real tokenizer, a few milliseconds per 100 KB) is used
 *   after the call, when the provider gave no usage (a stream cut short, an OpenAI-compatible
 *   server that ignores `include_usage`): that count is what is billed.
 */

/** Per-message framing tokens (role, separators) and the reply primer, as OpenAI documents them. */
const tokensPerMessage = 3;
const replyPrimerTokens = 3;
/**
 * One image or binary document, without decoding it: about a 1024×1024 image at OpenAI's high
 * detail (765) or Anthropic's (~1,400), rounded. PDFs cost more per page; usage corrects it.
 */
const tokensPerAttachment = 1_000;
/** English text averages about four characters per token on both OpenAI tokenizers. */
const charactersPerToken = 4;
/**
 * Claude's tokenizer is not published. Counting with cl100k and adding 20% matches what Claude's
 * reported usage shows for English prose and code (10–30% above cl100k) and errs high, which
 * keeps limits and budget reservations conservative. Anthropic reports usage in every response
 * and stream, so this approximation is billed only when a stream is cut before its usage arrives.
 */
const claudeAdjustment = 1.2;
/** `max_tokens` when the request sets none (OpenAI's is the model's limit: this is a guess). */
export const defaultMaxOutputTokens = 4_096;

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** o200k for GPT-4o, 4.1, 4.5, GPT-5, gpt-oss and the o-series; cl100k for older and unknown models. */
export function encodingOf(model: string): EncodingName {
  const name = model.toLowerCase().slice(model.lastIndexOf('/') + 1);
  return /^(gpt-4o|gpt-4\.[15]|gpt-5|gpt-oss|chatgpt-4o|codex-|o[1-9](-|$))/.test(name)
    ? 'o200k_base'
    : 'cl100k_base';
}

function isClaude(model: string): boolean {
  return model.toLowerCase().includes('claude');
}

interface Measure extends PromptVisitor {
  readonly messages: number;
  readonly attachments: number;
  readonly directTokens: number;
}

function framingTokens(measure: Measure): number {
  const messages = measure.messages === 0 ? 0 : measure.messages * tokensPerMessage + replyPrimerTokens;
  return messages + measure.attachments * tokensPerAttachment + measure.directTokens;
}

function createMeasure(onText: (value: string) => void): Measure {
  const measure = {
    messages: 0,
    attachments: 0,
    directTokens: 0,
    text: onText,
    attachment: () => (measure.attachments += 1),
    message: () => (measure.messages += 1),
    tokens: (count: number) => (measure.directTokens += count),
  };
  return measure;
}

/** Characters / 4 plus framing: cheap enough for every request (no tokenizer, no allocation). */
export function estimatePromptTokensFast(body: Readonly<Record<string, unknown>>, dialect: Dialect): number {
  let characters = 0;
  const measure = createMeasure((value) => (characters += value.length));
  walkPrompt(body, dialect, measure);
  return Math.ceil(characters / charactersPerToken) + framingTokens(measure);
}

export interface TokenCounter {
  /** Tokens in `text` for `model`: exact for OpenAI models, approximate for Claude (see above). */
  countText(text: string, model: string): Promise<number>;
  /** The prompt of a request body with a real tokenizer, plus message framing and attachments. */
  estimatePromptTokens(
    body: Readonly<Record<string, unknown>>,
    dialect: Dialect,
    model?: string,
  ): Promise<number>;
  /** Usage for an answer the provider gave no usage for: the prompt counted, the answer's text counted. */
  countUsage(request: {
    readonly body: Readonly<Record<string, unknown>>;
    readonly dialect: Dialect;
    readonly model: string;
    readonly outputText: string;
  }): Promise<Usage>;
  /** Loads both encodings now (optional: otherwise each loads on first use, ~200 ms once). */
  preload(): Promise<void>;
}

type Counter = (text: string) => number;

/**
 * The encodings are imported on first use, once per counter, never at module import: they take
 * ~200 ms and ~20 MB to load, which a gateway whose providers all report usage never needs.
 */
export function createTokenCounter(): TokenCounter {
  const loading = new Map<EncodingName, Promise<Counter>>();
  // Text that looks like a special token (`<|endoftext|>`) is counted as text, never refused.
  const options = { disallowedSpecial: new Set<string>() };

  async function load(name: EncodingName): Promise<Counter> {
    const encoding =
      name === 'o200k_base'
        ? await import('gpt-tokenizer/encoding/o200k_base')
        : await import('gpt-tokenizer/encoding/cl100k_base');
    return (text) => encoding.countTokens(text, options);
  }

  function counterFor(name: EncodingName): Promise<Counter> {
    let counter = loading.get(name);
    if (counter === undefined) {
      counter = load(name);
      // A failed import is retried on the next call instead of being remembered.
      void counter.catch(() => loading.delete(name));
      loading.set(name, counter);
    }
    return counter;
  }

  async function countText(text: string, model: string): Promise<number> {
    if (text === '') return 0;
    const count = (await counterFor(encodingOf(model)))(text);
    return isClaude(model) ? Math.ceil(count * claudeAdjustment) : count;
  }

  async function estimatePromptTokens(
    body: Readonly<Record<string, unknown>>,
    dialect: Dialect,
    model?: string,
  ) {
    const pieces: string[] = [];
    const measure = createMeasure((value) => pieces.push(value));
    walkPrompt(body, dialect, measure);
    const named = model ?? (typeof body.model === 'string' ? body.model : '');
    return (await countText(pieces.join('\n'), named)) + framingTokens(measure);
  }

  return {
    countText,
    estimatePromptTokens,
    async countUsage(request) {
      const [inputTokens, outputTokens] = await Promise.all([
        estimatePromptTokens(request.body, request.dialect, request.model),
        countText(request.outputText, request.model),
      ]);
      return { inputTokens, outputTokens, cachedInputTokens: 0, cacheCreationInputTokens: 0 };
    },
    async preload() {
      await Promise.all([counterFor('o200k_base'), counterFor('cl100k_base')]);
    },
  };
}
