import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { pruneAuditLog, type PruneOutcome } from '../governance/audit/index.js';
import { openAuditObjectStore } from '../gateway/audit-object-store.js';
import type { AuditArchiveCommandDependencies, AuditArchiveStores } from './audit-archive-stores.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { loadConfigOrReport } from './load-config.js';

/**
 * `gatehouse audit prune [--days N]`: one retention run now, as the gateways run it periodically
 * (archive to audit.archive.s3 when configured, read back, checkpoint, then delete; under the same
 * lease, so it waits for no one and never runs beside a gateway's run). Exits 0 when it pruned (or
 * nothing was old enough), 1 when it stopped (naming why: nothing of that range was deleted) or
 * another process holds the lease, 2 on bad usage.
 */
export async function pruneOnce(
  environment: CliEnvironment,
  dependencies: AuditArchiveCommandDependencies,
  options: { readonly days?: string; readonly config?: string },
): Promise<number> {
  const fail = (code: number, message: string): number => {
    environment.stderr(`gatehouse audit prune: ${message}\n`);
    return code;
  };
  const config = loadConfigOrReport(
    environment,
    options.config === undefined ? {} : { config: options.config },
  );
  if (config === undefined) return exitCodes.usage;
  const days = options.days === undefined ? config.audit.retention_days : Number(options.days);
  if (days === undefined)
    return fail(exitCodes.usage, 'audit.retention_days is not set; set it or pass --days');
  if (!Number.isSafeInteger(days) || days < 1)
    return fail(exitCodes.usage, '--days must be a whole number ≥ 1');
  const opened = await openAuditObjectStore(config);
  if (opened === undefined) {
    environment.stderr(
      'gatehouse audit prune: no audit.archive.s3: records are deleted without an archive\n',
    );
  }
  let stores: AuditArchiveStores | undefined;
  try {
    stores = await dependencies.openStores(config);
    const outcome = await pruneAuditLog({
      store: stores.audit,
      archive: stores.auditArchive,
      objects: opened?.store,
      settings: { retentionDays: days, recordsPerObject: config.audit.archive.records_per_object },
      now: Date.now,
      holder: `${hostname()}-cli-${randomBytes(4).toString('hex')}`,
    });
    return report(environment, outcome);
  } catch (error) {
    return fail(
      exitCodes.failure,
      `${error instanceof Error ? error.message : String(error)} (nothing more deleted)`,
    );
  } finally {
    opened?.close();
    await stores?.close().catch(() => undefined);
  }
}

function report(environment: CliEnvironment, outcome: PruneOutcome): number {
  if (outcome.type === 'busy') {
    environment.stderr('gatehouse audit prune: another process is pruning the audit log now; nothing done\n');
    return exitCodes.failure;
  }
  for (const range of outcome.ranges) {
    const archive = range.archive ?? 'no archive';
    environment.stdout(`archived and deleted records ${range.from}–${range.through} (${archive})\n`);
  }
  if (outcome.type === 'failed') {
    environment.stderr(`gatehouse audit prune: stopped: ${outcome.reason}\n`);
    return exitCodes.failure;
  }
  environment.stdout(
    outcome.ranges.length === 0
      ? 'nothing to prune: no record is older than the retention period\n'
      : `the log now starts after record ${outcome.anchor.seq}\n`,
  );
  return exitCodes.ok;
}
