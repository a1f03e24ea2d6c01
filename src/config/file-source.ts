import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Alias, type Document } from 'yaml';
import type { ConfigProblem, ValueSource } from './config-error.js';
import type { ConfigPath } from './config-path.js';
import { coerceText } from './coerce.js';
import type { Origins } from './origins.js';
import { describeValue, type ProblemCollector } from './problem-collector.js';
import { resolveReferences, type ReferenceContext } from './references.js';
import { valueKindAt } from './schema-introspection.js';

/**
 * The configuration file as plain data, with `${...}` references resolved and the line and
 * column of every value and key recorded. A key written with no value (`server:` whose children
 * are all commented out, as in the starter file) counts as not written.
 */

export interface FileLayerOptions {
  readonly text: string;
  /** The file's name as shown in problems. */
  readonly displayName: string;
  readonly references: ReferenceContext;
  readonly origins: Origins;
  readonly problems: ProblemCollector;
  readonly warnings: ConfigProblem[];
}

// An alias may repeat a large subtree; like the yaml package's own limit, this stops a small
// file from expanding into an enormous configuration ("billion laughs").
const maximumAliases = 100;

class FileReader {
  readonly #lines = new LineCounter();
  readonly #document: Document.Parsed;
  readonly #walking = new Set<unknown>();
  #aliases = 0;

  constructor(private readonly options: FileLayerOptions) {
    // prettyErrors is off: the pretty form quotes the offending line, which may hold a secret.
    this.#document = parseDocument(options.text, { lineCounter: this.#lines, prettyErrors: false });
  }

  read(): Record<string, unknown> | undefined {
    const { errors, warnings: yamlWarnings } = this.#document;
    for (const warning of yamlWarnings)
      this.options.warnings.push(this.#yamlProblem(warning.pos[0], warning.message));
    if (errors.length > 0) {
      for (const error of errors) {
        // The parser's own wording for this one addresses programmers (it names an API).
        const message =
          error.code === 'MULTIPLE_DOCS'
            ? 'the file must hold one YAML document, found another after ---'
            : error.message;
        this.options.problems.add([], this.#source(error.pos[0]), `YAML syntax: ${message}`);
      }
      return undefined;
    }
    const contents = this.#document.contents;
    if (contents === null || (isScalar(contents) && contents.value === null)) return {};
    if (!isMap(contents)) {
      this.options.problems.add(
        [],
        this.#source(contents.range[0]),
        'the file must be a mapping of settings',
      );
      return undefined;
    }
    const value = this.#walk(contents, []);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  }

  #yamlProblem(offset: number, message: string): ConfigProblem {
    return { path: '', source: this.#source(offset), message: `YAML: ${message}` };
  }

  #source(offset: number | undefined, references: readonly string[] = []): ValueSource {
    const { line, col } = this.#lines.linePos(offset ?? 0);
    return { kind: 'file', file: this.options.displayName, line, column: col, references };
  }

  /** Returns undefined for "not written": a null value, or one whose problem was reported. */
  #walk(node: unknown, path: ConfigPath): unknown {
    const { origins, problems } = this.options;
    if (isAlias(node)) return this.#alias(node, path);
    if (isMap(node)) {
      this.#walking.add(node);
      origins.setValue(path, this.#source(node.range?.[0]));
      const result: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key;
        if (!isScalar(keyNode) || (typeof keyNode.value !== 'string' && typeof keyNode.value !== 'number')) {
          problems.add(path, this.#source(node.range?.[0]), 'keys must be plain names');
          continue;
        }
        const key = String(keyNode.value);
        origins.setKey([...path, key], this.#source(keyNode.range?.[0]));
        const value = this.#walk(pair.value, [...path, key]);
        // defineProperty, not assignment: a key named __proto__ must stay a key (and be reported).
        if (value !== undefined) {
          Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
        }
      }
      this.#walking.delete(node);
      return result;
    }
    if (isSeq(node)) {
      this.#walking.add(node);
      origins.setValue(path, this.#source(node.range?.[0]));
      const items = node.items.map((item, index) => this.#walk(item, [...path, index]) ?? null);
      this.#walking.delete(node);
      return items;
    }
    if (isScalar(node)) return this.#scalar(node.value, node.range?.[0], path);
    return undefined;
  }

  #alias(alias: Alias, path: ConfigPath): unknown {
    const target = alias.resolve(this.#document);
    this.#aliases += 1;
    const problem =
      target === undefined
        ? `unknown alias *${alias.source}`
        : this.#walking.has(target)
          ? `alias *${alias.source} refers to a mapping that contains it`
          : this.#aliases > maximumAliases
            ? `more than ${maximumAliases} aliases`
            : undefined;
    if (problem === undefined) return this.#walk(target, path);
    this.options.problems.add(path, this.#source(alias.range?.[0]), problem);
    return undefined;
  }

  #scalar(value: unknown, offset: number | undefined, path: ConfigPath): unknown {
    const { origins, problems } = this.options;
    origins.setValue(path, this.#source(offset));
    if (value === null) return undefined;
    if (typeof value !== 'string') return value;
    const resolution = resolveReferences(value, this.options.references);
    if (!resolution.ok) {
      for (const message of resolution.messages) problems.add(path, this.#source(offset), message);
      return undefined;
    }
    const source = this.#source(offset, resolution.references);
    origins.setValue(path, source);
    if (!resolution.whole) return resolution.value;
    // `port: ${PORT}` is text in YAML; the schema wants the number the variable holds.
    const coercion = coerceText(resolution.value, valueKindAt(path));
    if (coercion.ok) return coercion.value;
    problems.add(
      path,
      source,
      `expected ${coercion.expected}, got ${describeValue(resolution.value, path, source)}`,
    );
    return undefined;
  }
}

export function readFileLayer(options: FileLayerOptions): Record<string, unknown> | undefined {
  return new FileReader(options).read();
}
