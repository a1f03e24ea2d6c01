/**
 * Where a configuration value came from, and what is wrong with it. Problems are values (the
 * loader returns them, it does not throw) so `gatehouse start` and `gatehouse check` can print
 * every problem at once and exit 2.
 */

export type ValueSource =
  | { readonly kind: 'default' }
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'environment'; readonly variable: string }
  | {
      readonly kind: 'file';
      /** As shown to people: relative to the working directory when inside it. */
      readonly file: string;
      readonly line: number;
      readonly column: number;
      /** The `${...}` references the value was built from, in order; empty for a literal. */
      readonly references: readonly string[];
    };

export interface ConfigProblem {
  /** Display path (`models.gpt-4o.targets[0].weight`); empty when the problem is not about one field. */
  readonly path: string;
  readonly source: ValueSource;
  /** What is expected, and what was found (secrets masked). */
  readonly message: string;
}

export const defaultSource: ValueSource = { kind: 'default' };

/** `gatehouse.yaml:3:9`, `${PORT} in gatehouse.yaml:3:9`, `environment variable PORT`, `flag --port`, `default`. */
export function describeSource(source: ValueSource): string {
  switch (source.kind) {
    case 'default':
      return 'default';
    case 'flag':
      return `flag ${source.flag}`;
    case 'environment':
      return `environment variable ${source.variable}`;
    case 'file': {
      const location = `${source.file}:${source.line}:${source.column}`;
      return source.references.length === 0 ? location : `${source.references.join(', ')} in ${location}`;
    }
    default: {
      const unreachable: never = source;
      return unreachable;
    }
  }
}

/**
 * One line: a file location first when there is one (editors and terminals make `file:line:col`
 * clickable), then the field, then what is expected; other origins are named at the end.
 */
export function formatProblem(problem: ConfigProblem): string {
  const { source } = problem;
  const subject = problem.path === '' ? problem.message : `${problem.path}: ${problem.message}`;
  if (source.kind !== 'file') return `${subject} (from ${describeSource(source)})`;
  const location = `${source.file}:${source.line}:${source.column}`;
  const origin = source.references.length === 0 ? '' : ` (from ${source.references.join(', ')})`;
  return `${location} ${subject}${origin}`;
}

export function formatProblems(problems: readonly ConfigProblem[]): string {
  return problems.map(formatProblem).join('\n');
}
