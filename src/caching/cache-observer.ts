/**
 * Where cache outcomes are reported. `Metrics.cacheResult` (telemetry) has this shape: layer is
 * `l1`, `l2`, `semantic` or `none`, result is `hit`, `miss`, `error` or `bypass`, so the label
 * values stay few.
 */
export interface CacheObserver {
  cacheResult(layer: CacheLayerName, result: CacheLayerResult): void;
}

export type CacheLayerName = 'l1' | 'l2' | 'semantic' | 'none';
export type CacheLayerResult = 'hit' | 'miss' | 'error' | 'bypass';

/** A pino logger satisfies this. */
export interface CacheLogger {
  warn(details: Record<string, unknown>, message: string): void;
  info(details: Record<string, unknown>, message: string): void;
}

export const silentObserver: CacheObserver = { cacheResult: () => undefined };

export const silentLogger: CacheLogger = { warn: () => undefined, info: () => undefined };

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
