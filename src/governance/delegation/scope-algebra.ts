import { compileActionPattern, type ActionPattern } from '../action-pattern.js';

/**
 * What a grant's scopes allow. A scope is an action name or an action pattern in the action
 * catalog's syntax (action-pattern.ts: `*` any run of characters, `?` one, case-sensitive), so
 * `read_*` covers `read_invoice`. A request under a grant is covered when its action, and its
 * `scope` when it names one, each match one of the grant's scopes.
 *
 * Attenuation: a child's scope must be covered by its parent's scopes, meaning every action the
 * child's scope could match is matched by one parent scope. `patternCovers` decides that soundly
 * (it never says yes wrongly) and exactly for the cases people write: equal scopes, a name under a
 * pattern, a narrower pattern under a wider one (`read_inv*` under `read_*`, anything under `*`).
 */

export interface CompiledScopes {
  readonly scopes: readonly string[];
  /** The first scope that matches `name`; undefined when none does. */
  coveringScope(name: string): string | undefined;
}

export function compileScopes(scopes: readonly string[]): CompiledScopes {
  const patterns: readonly ActionPattern[] = scopes.map(compileActionPattern);
  return {
    scopes,
    coveringScope: (name) => patterns.find((pattern) => pattern.matches(name))?.pattern,
  };
}

/**
 * Whether every name `child` matches is matched by `parent`. Two cursors, as in action-pattern.ts,
 * with one rule more: a `*` or `?` of the child stands for unknown characters, so only a `*` of the
 * parent may absorb a child's `*` (any run), and a `?` of the parent or a `*` may absorb a child's
 * `?` (one character); a literal of the parent matches only the same literal.
 */
export function patternCovers(parent: string, child: string): boolean {
  let parentIndex = 0;
  let childIndex = 0;
  let starIndex = -1;
  let resumeIndex = 0;
  while (childIndex < child.length) {
    const expected = parent[parentIndex];
    const actual = child[childIndex];
    if (expected !== undefined && expected !== '*' && singleMatches(expected, actual)) {
      parentIndex += 1;
      childIndex += 1;
    } else if (expected === '*') {
      starIndex = parentIndex;
      resumeIndex = childIndex;
      parentIndex += 1;
    } else if (starIndex !== -1) {
      parentIndex = starIndex + 1;
      resumeIndex += 1;
      childIndex = resumeIndex;
    } else {
      return false;
    }
  }
  while (parent[parentIndex] === '*') parentIndex += 1;
  return parentIndex === parent.length;
}

/** One parent character against one child character: `?` takes any but a child's `*`. */
function singleMatches(expected: string, actual: string | undefined): boolean {
  if (actual === undefined) return false;
  if (expected === '?') return actual !== '*';
  return expected === actual && actual !== '*' && actual !== '?';
}

/** The child scopes no parent scope covers, in the child's order. */
export function uncoveredScopes(parent: readonly string[], child: readonly string[]): string[] {
  return child.filter((scope) => !parent.some((granted) => patternCovers(granted, scope)));
}
