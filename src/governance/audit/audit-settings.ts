import { join } from 'node:path';
import type { DurableWriterSettings } from '../../durable/index.js';

/**
 * The parts of the configuration the audit trail depends on, declared structurally so this module
 * does not import `config/`; the loaded configuration satisfies it as it is.
 */
export interface AuditConfiguration {
  readonly data_dir: string;
  readonly audit: {
    readonly enabled: boolean;
    readonly batch_size: number;
    readonly flush_interval_ms: number;
    readonly memory_buffer: number;
    readonly durability: 'memory' | 'disk';
    readonly spool_dir?: string | undefined;
  };
}

export interface AuditSettings extends DurableWriterSettings {
  readonly enabled: boolean;
}

export function auditSettingsFrom(config: AuditConfiguration): AuditSettings {
  const { audit } = config;
  return {
    enabled: audit.enabled,
    batchSize: audit.batch_size,
    flushIntervalMs: audit.flush_interval_ms,
    memoryBuffer: audit.memory_buffer,
    durability: audit.durability,
    // Never the usage spool: a writer replays every file in its directory as its own kind.
    spoolDirectory: audit.spool_dir ?? join(config.data_dir, 'audit-spool'),
  };
}
