import type { Config } from '../config/index.js';
import type { AuditArchiveStore, AuditSelection, AuditStore } from '../governance/audit/index.js';

/** The audit tables of the configured database, opened for one command. */
export interface AuditArchiveStores {
  readonly audit: AuditStore;
  readonly auditArchive: AuditArchiveStore;
  close(): Promise<void>;
}

export interface AuditArchiveCommandDependencies {
  readonly openStores: (config: Config) => Promise<AuditArchiveStores>;
  /** `--from`/`--to` as verify reads them (a sequence number or an ISO 8601 time). */
  readonly selectionOf: (options: { from?: string; to?: string }) => AuditSelection;
}
