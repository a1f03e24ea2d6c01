/**
 * Action patterns of the action catalog: `*` matches any run of characters (none included), `?`
 * exactly one; every other character matches itself, case-sensitively (action names are
 * identifiers, and `Delete` and `delete` may be different actions to the caller).
 */
export interface ActionPattern {
  readonly pattern: string;
  /** Characters that must match literally; more of them is more specific. */
  readonly literalLength: number;
  readonly hasWildcard: boolean;
  matches(action: string): boolean;
}

/**
 * Wildcard matching by two cursors, returning to the last star on a mismatch: O(pattern × action)
 * at worst. A regular expression of `.*` runs would backtrack polynomially in the number of stars
 * on a long action name, and action names come from callers.
 */
function wildcardMatches(pattern: string, action: string): boolean {
  let patternIndex = 0;
  let actionIndex = 0;
  let starIndex = -1;
  let resumeIndex = 0;
  while (actionIndex < action.length) {
    const expected = pattern[patternIndex];
    if (
      expected === '?' ||
      (expected !== undefined && expected !== '*' && expected === action[actionIndex])
    ) {
      patternIndex += 1;
      actionIndex += 1;
    } else if (expected === '*') {
      starIndex = patternIndex;
      resumeIndex = actionIndex;
      patternIndex += 1;
    } else if (starIndex !== -1) {
      patternIndex = starIndex + 1;
      resumeIndex += 1;
      actionIndex = resumeIndex;
    } else {
      return false;
    }
  }
  while (pattern[patternIndex] === '*') patternIndex += 1;
  return patternIndex === pattern.length;
}

/** Compiled once, when the settings are built, never per request. */
export function compileActionPattern(pattern: string): ActionPattern {
  // By UTF-16 unit, not allocating per request; action names are identifiers, in practice ASCII.
  const literalLength = pattern.replace(/[*?]/g, '').length;
  const hasWildcard = literalLength !== pattern.length;
  const matches = hasWildcard
    ? (action: string) => wildcardMatches(pattern, action)
    : (action: string) => action === pattern;
  return { pattern, literalLength, hasWildcard, matches };
}

/**
 * Orders patterns most specific first: an exact name before any pattern with a wildcard, then
 * more literal characters first, then the order they were written in (the sort is stable).
 */
export function bySpecificity(left: ActionPattern, right: ActionPattern): number {
  if (left.hasWildcard !== right.hasWildcard) return left.hasWildcard ? 1 : -1;
  return right.literalLength - left.literalLength;
}
