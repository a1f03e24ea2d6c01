/** What the composition root gives every HTTP adapter besides its own configuration. */
export interface AdapterOptions {
  readonly connectTimeoutMs: number;
  readonly now?: () => number;
}
