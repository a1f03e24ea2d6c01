import type { z } from 'zod';
import type { ValueSource } from './config-error.js';
import { formatPath, valueAt, type ConfigPath } from './config-path.js';
import type { Origins } from './origins.js';
import { describeValue, type ProblemCollector } from './problem-collector.js';
import { valueKindAt } from './schema-introspection.js';

/**
 * The schema's issues rewritten for the person who wrote the file: the field, where it was
 * written, what is expected and what was found. Unknown keys are reported at the key's own
 * line, with the nearest known key suggested.
 */

type Issue = z.core.$ZodIssue;

const expectedNames: Readonly<Record<string, string>> = {
  int: 'a whole number',
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
};

/** Fields that are only valid together; a missing one is explained by its partner. */
const missingHints: Readonly<Record<string, string>> = {
  'server.tls.cert_path': 'TLS needs both cert_path and key_path (TLS_CERT_PATH and TLS_KEY_PATH)',
  'server.tls.key_path': 'TLS needs both cert_path and key_path (TLS_CERT_PATH and TLS_KEY_PATH)',
};

/** Levenshtein distance; configuration keys are ASCII, so code units are characters. */
function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let leftIndex = 0; leftIndex < left.length; leftIndex += 1) {
    const current = [leftIndex + 1];
    for (let rightIndex = 0; rightIndex < right.length; rightIndex += 1) {
      const same = left.charCodeAt(leftIndex) === right.charCodeAt(rightIndex);
      const substitution = (previous[rightIndex] ?? 0) + (same ? 0 : 1);
      current.push(
        Math.min((previous[rightIndex + 1] ?? 0) + 1, (current[rightIndex] ?? 0) + 1, substitution),
      );
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

function unknownKeyMessage(parent: ConfigPath, key: string): string {
  const kind = valueKindAt(parent);
  const known = kind?.kind === 'object' ? kind.keys : [];
  const closest = known
    .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(key.length / 3)))
    .sort((first, second) => first.distance - second.distance)[0];
  const suggestion = closest === undefined ? '' : `; did you mean "${closest.candidate}"?`;
  const allowed = known.length === 0 ? '' : ` (known keys: ${known.join(', ')})`;
  return `unknown key "${key}"${suggestion === '' ? allowed : suggestion}`;
}

function bound(inclusive: boolean, below: boolean): string {
  if (below) return inclusive ? '>=' : '>';
  return inclusive ? '<=' : '<';
}

function sizeMessage(
  issue: Issue & { code: 'too_small' | 'too_big' },
  found: string,
  value: unknown,
): string {
  const below = issue.code === 'too_small';
  const limit = Number(below ? issue.minimum : issue.maximum);
  const comparison = below ? 'at least' : 'at most';
  switch (issue.origin) {
    case 'string':
      if (below && limit === 1) return 'expected a non-empty string';
      return `expected ${comparison} ${limit} characters, got ${typeof value === 'string' ? value.length : found}`;
    case 'array':
      return `expected ${comparison} ${limit} item${limit === 1 ? '' : 's'}, got ${Array.isArray(value) ? value.length : found}`;
    default:
      return `expected a number ${bound(issue.inclusive ?? true, below)} ${limit}, got ${found}`;
  }
}

function issueMessage(issue: Issue, path: ConfigPath, value: unknown, source: ValueSource): string {
  const found = describeValue(value, path, source);
  switch (issue.code) {
    case 'invalid_type': {
      const expected = expectedNames[issue.expected] ?? `a ${issue.expected}`;
      if (value !== undefined) return `expected ${expected}, got ${found}`;
      return `missing; ${missingHints[formatPath(path)] ?? `expected ${expected}`}`;
    }
    case 'too_small':
    case 'too_big':
      return sizeMessage(issue, found, value);
    case 'invalid_value':
      return `expected one of ${issue.values.map((option) => JSON.stringify(option)).join(', ')}, got ${found}`;
    case 'invalid_format':
      if (issue.format === 'url') return `expected a URL such as https://api.example.com/v1, got ${found}`;
      if (issue.format === 'regex' && 'pattern' in issue)
        return `expected text matching ${issue.pattern}, got ${found}`;
      return `expected a ${issue.format}, got ${found}`;
    case 'invalid_key': {
      const inner = issue.issues[0];
      const pattern = inner !== undefined && 'pattern' in inner ? ` matching ${inner.pattern}` : '';
      return `invalid name ${JSON.stringify(String(path.at(-1)))}: expected a name${pattern}`;
    }
    default:
      return issue.message;
  }
}

export function reportSchemaIssues(
  issues: readonly Issue[],
  raw: unknown,
  origins: Origins,
  problems: ProblemCollector,
): void {
  for (const issue of issues) {
    const path = issue.path.filter((segment) => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        if (!problems.covers(keyPath))
          problems.add(keyPath, origins.keySource(keyPath), unknownKeyMessage(path, key));
      }
      continue;
    }
    if (problems.covers(path)) continue;
    const source = issue.code === 'invalid_key' ? origins.keySource(path) : origins.valueSource(path);
    problems.add(path, source, issueMessage(issue, path, valueAt(raw, path), source));
  }
}
