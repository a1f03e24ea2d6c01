import type { Config } from '../config/index.js';
import type { AuditArchiveStore, AuditStore } from '../governance/audit/index.js';
import type { KeyStore } from '../keys/index.js';
import { createSqlStores } from '../stores/sql/index.js';

/** The configured database, for commands that work on it directly (`gatehouse keys`, `gatehouse audit`). */
export async function openSqlStores(
  config: Config,
): Promise<{ keys: KeyStore; audit: AuditStore; auditArchive: AuditArchiveStore; close(): Promise<void> }> {
  const stores = await createSqlStores({
    ...(config.database_url === undefined ? {} : { databaseUrl: config.database_url }),
    dataDir: config.data_dir,
    ...(config.database_schema === undefined ? {} : { schema: config.database_schema }),
  });
  return {
    keys: stores.keys,
    audit: stores.audit,
    auditArchive: stores.auditArchive,
    close: () => stores.close(),
  };
}
