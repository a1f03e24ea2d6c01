/** Where the scored text came from; tool results are indirect injection, the harder case. */
export type ScoredSource = 'input' | 'tool_result' | 'args' | 'output';

export interface InjectionScore {
  /** In [0, 1]; at or above the severity threshold (0.8 by default) the text is an injection. */
  readonly score: number;
  /** The character range of the highest-scoring window, when the text was scored in windows. */
  readonly window?: { readonly start: number; readonly end: number } | undefined;
}

export interface InjectionDetector {
  score(text: string, source: ScoredSource): InjectionScore;
}
