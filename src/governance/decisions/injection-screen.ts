/**
 * The seam for prompt-injection screening of what an agent asks to do. The composition root passes
 * the guard's screener (its detector, threshold and settings, SPEC section 10); the built-in one,
 * a short list of the most common override phrasings that catches only the crudest attempts
 * (Lelu's 49-phrase list has ~8 % recall), serves where no guard is assembled (tests, the bench).
 */

/** The request's free text, by wire field: `action`, `resource`, `args`. */
export type ScreenedFields = Readonly<Record<string, unknown>>;

export type ScreenVerdict =
  | { readonly detected: false }
  | {
      readonly detected: true;
      readonly field: string;
      /** The phrase that matched; a model-based screener (the guard's) names none. */
      readonly pattern?: string | undefined;
      /** Replaces the detection wording (the guard refusing what it could not check). */
      readonly reason?: string | undefined;
    };

export type ArgsScreener = (fields: ScreenedFields) => ScreenVerdict;

/** Lelu's wording, so clients matching on it keep working; the phrase follows when there is one. */
export function injectionReason(verdict: {
  readonly field: string;
  readonly pattern?: string | undefined;
  readonly reason?: string | undefined;
}): string {
  if (verdict.reason !== undefined) return verdict.reason;
  const reason = `prompt injection detected in ${verdict.field}`;
  return verdict.pattern === undefined ? reason : `${reason}: ${JSON.stringify(verdict.pattern)}`;
}
