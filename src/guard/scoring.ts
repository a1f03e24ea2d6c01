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

export function createScorer(detector: InjectionDetector): Scorer {
  return (text, source) => {
    let answer;
    try {
      // Half of a UTF-16 pair (JSON's `\ud800`) is no text a tokenizer expects; as U+FFFD it is.
      answer = detector.score(text.isWellFormed() ? text : text.toWellFormed(), source);
    } catch (error) {
      throw new DetectorFailure('the injection detector threw', { cause: error });
    }
    const score = (answer as { score?: unknown } | undefined)?.score;
    if (typeof score !== 'number' || !(score >= 0 && score <= 1))
      throw new DetectorFailure(`the injection detector answered a score outside [0, 1]: ${String(score)}`);
    return { score, pattern: patternOf(answer) };
  };
}
