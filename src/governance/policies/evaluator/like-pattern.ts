import type { PatternElem } from '@cedar-policy/cedar-wasm/nodejs';

/**
 * A `like` pattern: characters (Unicode code points, as Cedar's Rust `char`s) and the wildcard,
 * written `null`. `\*` in the text is a literal star; Cedar's JSON form has already told the two
 * apart.
 */
export type LikePattern = readonly (string | null)[];

export function likePattern(elements: readonly PatternElem[]): LikePattern {
  const pattern: (string | null)[] = [];
  for (const element of elements) {
    if (element === 'Wildcard') pattern.push(null);
    else pattern.push(...Array.from(element.Literal));
  }
  return pattern;
}

/**
 * Cedar's own matching algorithm (`Pattern::wildcard_match`), step for step: greedy, going back
 * only to the latest wildcard, so it runs in linear-times-pattern time whatever the text (no
 * regular expression that a crafted string could make backtrack for long).
 */
export function matchesLike(pattern: LikePattern, input: string): boolean {
  if (pattern.length === 0) return input.length === 0;
  const text = Array.from(input);
  let textIndex = 0;
  let patternIndex = 0;
  let starIndex = 0;
  let resumeIndex = 0;
  let seenStar = false;
  const last = pattern.length - 1;
  while (textIndex < text.length && (!seenStar || starIndex !== last)) {
    const element = pattern[patternIndex];
    if (patternIndex < pattern.length && element === null) {
      seenStar = true;
      starIndex = patternIndex;
      resumeIndex = textIndex;
      patternIndex += 1;
    } else if (patternIndex < pattern.length && element === text[textIndex]) {
      textIndex += 1;
      patternIndex += 1;
    } else if (seenStar) {
      patternIndex = starIndex + 1;
      textIndex = resumeIndex + 1;
      resumeIndex = textIndex;
    } else {
      return false;
    }
  }
  while (patternIndex < pattern.length && pattern[patternIndex] === null) patternIndex += 1;
  return patternIndex === pattern.length;
}
