import { defaultSource, type ValueSource } from './config-error.js';
import { formatPath, pathKey, type ConfigPath } from './config-path.js';

/**
 * Where each value of one load came from. A later layer (environment, flags) overwrites the
 * entry of the value it replaces, so a problem always names the source that actually won.
 */
export class Origins {
  readonly #values = new Map<string, { path: ConfigPath; source: ValueSource }>();
  readonly #keys = new Map<string, ValueSource>();

  setValue(path: ConfigPath, source: ValueSource): void {
    this.#values.set(pathKey(path), { path, source });
  }

  /** Where a mapping key was written (for unknown keys, which have no value of interest). */
  setKey(path: ConfigPath, source: ValueSource): void {
    this.#keys.set(pathKey(path), source);
  }

  /**
   * The source of the value at a path; for a value that is missing, the source of the nearest
   * enclosing value (the mapping that lacks the key), and `default` when nothing was written.
   */
  valueSource(path: ConfigPath): ValueSource {
    for (let length = path.length; length >= 0; length -= 1) {
      const entry = this.#values.get(pathKey(path.slice(0, length)));
      if (entry !== undefined) return entry.source;
    }
    return defaultSource;
  }

  keySource(path: ConfigPath): ValueSource {
    return this.#keys.get(pathKey(path)) ?? this.valueSource(path);
  }

  /** Every value's source by display path, for `gatehouse check` and `/admin/config`. */
  toRecord(): Record<string, ValueSource> {
    return Object.fromEntries(
      [...this.#values.values()].map(({ path, source }) => [formatPath(path), source]),
    );
  }
}
