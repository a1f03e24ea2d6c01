import type { InjectionDetector, ScoredSource } from './detector/detector-contract.js';
import { patternOf } from './phrase-detector.js';

/**
 * The detector as the guard calls it: every answer checked, so that a detector returning nonsense
 * (NaN, a score outside [0, 1]) is treated like one that threw, by the configured fail mode,
 * instead of silently passing or blocking everything.
 */

/** A detector, with how the scan routes name it (`model` for the trained one, `phrase` for the stand-in). */
export interface NamedDetector {
  readonly detector: InjectionDetector;
  readonly method: string;
}

export interface Scored {
  readonly score: number;
  readonly pattern: string | undefined;
}

/** Thrown for a detector that threw or answered nonsense; the guard decides what it means. */
export class DetectorFailure extends Error {
  override readonly name = 'DetectorFailure';
}

export type Scorer = (text: string, source: ScoredSource) => Scored;

/**
 * Short texts are remembered with their score: agents' requests repeat the same action names,
 * resource ids and enum-like arguments, and a lookup costs a fraction of scoring (the model is
 * deterministic, so the answer is the same). Bounded: cleared when full, so a caller sending
 * endless distinct texts only makes its own texts be scored again.
 */
const rememberedLength = 256;
const rememberedTexts = 4_096;

export function createScorer(detector: InjectionDetector): Scorer {
  const remembered = new Map<ScoredSource, Map<string, Scored>>();
  const score = (text: string, source: ScoredSource): Scored => {
    let answer;
    try {
      // Half of a UTF-16 pair (JSON's `\ud800`) is no text a tokenizer expects; as U+FFFD it is.
      answer = detector.score(text.isWellFormed() ? text : text.toWellFormed(), source);
    } catch (error) {
      throw new DetectorFailure('the injection detector threw', { cause: error });
    }
    const value = (answer as { score?: unknown } | undefined)?.score;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1))
      throw new DetectorFailure(`the injection detector answered a score outside [0, 1]: ${String(value)}`);
    return { score: value, pattern: patternOf(answer) };
  };
  return (text, source) => {
    if (text.length > rememberedLength) return score(text, source);
    let texts = remembered.get(source);
    if (texts === undefined) remembered.set(source, (texts = new Map<string, Scored>()));
    const known = texts.get(text);
    if (known !== undefined) return known;
    const scored = score(text, source);
    if (texts.size >= rememberedTexts) texts.clear();
    texts.set(text, scored);
    return scored;
  };
}
