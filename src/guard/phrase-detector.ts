import type { InjectionDetector, InjectionScore, ScoredSource } from './detector/detector-contract.js';

/**
 * The stand-in detector: a short list of the most common override phrasings, score 1 on a hit and
 * 0 otherwise. It catches only the crudest attempts (Lelu's 49-phrase list has about 8 % recall on
 * public data); the trained detector replaces it, and it stays as the fallback when no weights
 * are available. The same phrases as governance's built-in args screener.
 */

/** A score that also names the phrase that matched (what the scan routes answer as `pattern`). */
export interface PatternScore extends InjectionScore {
  readonly pattern?: string | undefined;
}

/** Matched against lower-cased text with runs of whitespace as one space. */
const phrases: readonly { readonly name: string; readonly expression: RegExp }[] = [
  {
    name: 'ignore previous instructions',
    expression:
      /\b(ignore|disregard|forget|override) (all |any )?(the |your )?(previous|prior|above|earlier|system) (instructions|prompts?|rules|polic(y|ies))/,
  },
  {
    name: 'ignore your instructions',
    expression:
      /\b(ignore|disregard|forget|bypass|override) your (instructions|rules|guidelines|polic(y|ies))/,
  },
  { name: 'system prompt', expression: /\b(new|reveal|print|show|repeat) (the |your )?system prompt\b/ },
  { name: 'jailbreak', expression: /\b(jailbreak|do anything now|dan mode|developer mode enabled)\b/ },
  {
    name: 'role override',
    expression: /\b(from now on,? you (are|will)|pretend (that )?you are|you are no longer)\b/,
  },
  { name: 'chat template token', expression: /<\|im_(start|end)\|>|\[\/?inst\]|<\/?system>/ },
];

const clean: PatternScore = Object.freeze({ score: 0 });
const hits: ReadonlyMap<string, PatternScore> = new Map(
  phrases.map(({ name }) => [name, Object.freeze({ score: 1, pattern: name })]),
);

/** The phrase screen as an InjectionDetector; the source does not change how a phrase scores. */
export const phraseDetector: InjectionDetector & {
  score(text: string, source: ScoredSource): PatternScore;
} = {
  score(text) {
    const normalised = text.toLowerCase().replace(/\s+/g, ' ');
    for (const { name, expression } of phrases) {
      if (expression.test(normalised)) return hits.get(name) ?? clean;
    }
    return clean;
  },
};

/** The phrase a score names, when its detector gives one (the phrase detector does; a model does not). */
export function patternOf(score: InjectionScore): string | undefined {
  const pattern = (score as PatternScore).pattern;
  return typeof pattern === 'string' ? pattern : undefined;
}
