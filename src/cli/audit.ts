import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import {
  verifyAuditTrail,
  type AuditArchiveStore,
  type AuditLogVerification,
  type AuditSelection,
  type AuditStore,
} from '../governance/audit/index.js';
import { openAuditObjectStore } from '../gateway/audit-object-store.js';
import { archiveSummary, registerAuditArchiveCommands } from './audit-archive.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { loadConfigOrReport } from './load-config.js';

/** The audit log of the configured database, opened for one command. */
export interface AuditStores {
  readonly audit: AuditStore;
  readonly auditArchive: AuditArchiveStore;
  close(): Promise<void>;
}

export interface AuditCommandDependencies {
  readonly openStores: (config: Config) => Promise<AuditStores>;
}

interface VerifyOptions {
  readonly from?: string;
  readonly to?: string;
  readonly config?: string;
}

class UsageError extends Error {}

/** A bound: digits are a sequence number, anything else an ISO 8601 time. */
function boundOf(flag: '--from' | '--to', text: string): { seq: number } | { time: number } {
  if (/^\d+$/.test(text)) {
    const seq = Number(text);
    if (Number.isSafeInteger(seq) && seq >= 1) return { seq };
  } else {
    const time = Date.parse(text);
    if (!Number.isNaN(time)) return { time };
  }
  throw new UsageError(
    `${flag} must be a sequence number (1, 2, …) or an ISO 8601 time (2026-01-31 or 2026-01-31T12:00:00Z), not ${JSON.stringify(text)}`,
  );
}

function selectionOf(options: VerifyOptions): AuditSelection {
  const from = options.from === undefined ? undefined : boundOf('--from', options.from);
  const to = options.to === undefined ? undefined : boundOf('--to', options.to);
  return {
    ...(from === undefined ? {} : 'seq' in from ? { fromSeq: from.seq } : { fromTime: from.time }),
    ...(to === undefined ? {} : 'seq' in to ? { toSeq: to.seq } : { toTime: to.time }),
  };
}

function summary(result: Extract<AuditLogVerification, { ok: true }>): string {
  if (result.checked === 0 || result.first === undefined || result.last === undefined) {
    return 'audit log intact: no records in the range\n';
  }
  const range = `records ${result.first}–${result.last.seq} (${result.checked} checked)`;
  return result.toHead
    ? `audit log intact: ${range}, ending at the chain's head ${result.last.hash}\n`
    : `audit log intact: ${range}; record ${result.last.seq}'s hash ${result.last.hash}\n`;
}

/**
 * `gatehouse audit verify [--from X] [--to Y]`: checks the hash chain of the configured database's
 * audit log (a running deployment's: the same configuration and DATABASE_URL). Exits 0 when it is
 * intact, 1 when it is not (naming the first bad sequence number) or the database fails, 2 on bad
 * usage or configuration.
 */
export function registerAuditCommand(
  program: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
  dependencies: AuditCommandDependencies,
): void {
  const audit = program.command('audit').description('check, export and prune the tamper-evident audit log');
  audit
    .command('verify')
    .description(
      'verify the audit log’s hash chain; exit 1 naming the first bad record if it was tampered with',
    )
    .option(
      '--from <seq|time>',
      'first record: a sequence number, or an ISO 8601 time (recorded at or after)',
    )
    .option(
      '--to <seq|time>',
      'last record: a sequence number (inclusive), or an ISO 8601 time (recorded before)',
    )
    .option('--config <file>', 'configuration file')
    .action(async (options: VerifyOptions) => {
      setResult(await verify(environment, dependencies, options));
    });
  registerAuditArchiveCommands(audit, environment, setResult, { ...dependencies, selectionOf });
}

async function verify(
  environment: CliEnvironment,
  dependencies: AuditCommandDependencies,
  options: VerifyOptions,
): Promise<number> {
  let selection: AuditSelection;
  try {
    selection = selectionOf(options);
  } catch (error) {
    environment.stderr(`gatehouse audit verify: ${(error as Error).message}\n`);
    return exitCodes.usage;
  }
  const config = loadConfigOrReport(
    environment,
    options.config === undefined ? {} : { config: options.config },
  );
  if (config === undefined) return exitCodes.usage;
  let stores: AuditStores | undefined;
  // With an object store, the log is also compared with the checkpoints kept there.
  const objects = await openAuditObjectStore(config);
  try {
    stores = await dependencies.openStores(config);
    const trail = { store: stores.audit, archive: stores.auditArchive, objects: objects?.store };
    const result = await verifyAuditTrail(trail, selection);
    if (result.ok) {
      environment.stdout(summary(result.chain) + archiveSummary(result));
      return exitCodes.ok;
    }
    environment.stderr(
      `gatehouse audit verify: the audit log is NOT intact: ${result.problem.message}\n` +
        `first bad sequence number: ${result.problem.seq}\n`,
    );
    return exitCodes.failure;
  } catch (error) {
    environment.stderr(`gatehouse audit verify: ${error instanceof Error ? error.message : String(error)}\n`);
    return exitCodes.failure;
  } finally {
    objects?.close();
    await stores?.close().catch(() => undefined);
  }
}
