import type { Migration, MigrationProvider } from 'kysely';
import type { SqlDialect } from '../sql-dialect.js';
import { keysAndUsage } from './0001-keys-and-usage.js';
import { usageRecordIds } from './0002-usage-record-ids.js';
import { policyVersions } from './0003-policy-versions.js';
import { reviewQueue } from './0004-review-queue.js';
import { auditLog } from './0005-audit-log.js';
import { auditRetention } from './0006-audit-retention.js';
import { grants } from './0007-grants.js';
import { reviewOutcomes } from './0008-review-outcomes.js';
import { analytics } from './0009-analytics.js';

/**
 * Every migration, by name. Names sort in the order they apply (Kysely sorts them), and the
 * migrator refuses a database whose applied migrations this list lacks. To change the schema, add
 * `0002-...ts` (for example the review queue or the audit log) and list it here; never edit or
 * remove a released one. Migrations run forward only, so none defines `down`.
 *
 * The list is in code rather than read from a folder so that it works the same from `src/` under
 * the test runner and from the compiled `dist/`.
 */
export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001-keys-and-usage': keysAndUsage(dialect),
    '0002-usage-record-ids': usageRecordIds(),
    '0003-policy-versions': policyVersions(),
    '0004-review-queue': reviewQueue(dialect),
    '0005-audit-log': auditLog(dialect),
    '0006-audit-retention': auditRetention(),
    '0007-grants': grants(),
    '0008-review-outcomes': reviewOutcomes(),
    '0009-analytics': analytics(dialect),
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}
