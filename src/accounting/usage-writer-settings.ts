import { join } from 'node:path';
import type { UsageWriterOptions } from './usage-writer.js';

/**
 * The parts of the configuration the usage writer depends on, declared structurally so this module
 * does not import `config/`; the loaded configuration satisfies it as it is.
 */
export interface UsageConfiguration {
  readonly data_dir: string;
  readonly usage: {
    readonly batch_size: number;
    readonly flush_interval_ms: number;
    readonly memory_buffer: number;
    readonly durability: 'memory' | 'disk';
  };
}

export type UsageWriterSettings = Pick<
  UsageWriterOptions,
  'batchSize' | 'flushIntervalMs' | 'memoryBuffer' | 'durability' | 'spoolDirectory'
>;

/** The usage writer's settings from the configuration; the store and logger are added by the caller. */
export function usageWriterSettingsFrom(config: UsageConfiguration): UsageWriterSettings {
  return {
    batchSize: config.usage.batch_size,
    flushIntervalMs: config.usage.flush_interval_ms,
    memoryBuffer: config.usage.memory_buffer,
    durability: config.usage.durability,
    // One spool per process: a replica replays only what it spilled itself (or a predecessor with
    // the same data directory did).
    spoolDirectory: join(config.data_dir, 'usage-spool'),
  };
}
