import { createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Config } from '../config/index.js';
import {
  ndjsonStream,
  recordsOf,
  type AuditSelection,
  type TrailVerification,
} from '../governance/audit/index.js';
import { openAuditObjectStore } from '../gateway/audit-object-store.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { loadConfigOrReport } from './load-config.js';
import { pruneOnce } from './audit-prune.js';
import type { AuditArchiveCommandDependencies, AuditArchiveStores } from './audit-archive-stores.js';

interface ExportOptions {
  readonly from?: string;
  readonly to?: string;
  readonly out?: string;
  readonly s3?: string;
  readonly config?: string;
}

/**
 * `gatehouse audit export` and `gatehouse audit prune`, added to the `audit` command. Both work on
 * the configured database directly (the same configuration and DATABASE_URL as the gateways).
 */
export function registerAuditArchiveCommands(
  audit: Command,
  environment: CliEnvironment,
  setResult: (code: number | undefined) => void,
  dependencies: AuditArchiveCommandDependencies,
): void {
  audit
    .command('export')
    .description('write the audit log (or a range of it) as NDJSON: to stdout, a file, or S3 (gzip)')
    .option(
      '--from <seq|time>',
      'first record: a sequence number, or an ISO 8601 time (recorded at or after)',
    )
    .option(
      '--to <seq|time>',
      'last record: a sequence number (inclusive), or an ISO 8601 time (recorded before)',
    )
    .option('--out <file>', 'write to a new file (gzip when it ends in .gz); never replaces one')
    .option('--s3 <url>', 's3://bucket/prefix (or …/name.ndjson.gz): upload gzip NDJSON there')
    .option('--config <file>', 'configuration file')
    .action(async (options: ExportOptions) => {
      setResult(await exportCommand(environment, dependencies, options));
    });
  audit
    .command('prune')
    .description('archive (to audit.archive.s3) and delete the records older than audit.retention_days, now')
    .option('--days <n>', 'retention in days, instead of audit.retention_days')
    .option('--config <file>', 'configuration file')
    .action(async (options: { days?: string; config?: string }) => {
      setResult(await pruneOnce(environment, dependencies, options));
    });
}

/** What `gatehouse audit verify` adds to its summary: retention's anchor and the checkpoints compared. */
export function archiveSummary(result: Extract<TrailVerification, { ok: true }>): string {
  const lines: string[] = [];
  if (result.anchor.seq > 0) {
    lines.push(
      `records 1–${result.anchor.seq} were archived and deleted by retention; the chain was checked from record ${result.anchor.seq + 1}, which follows the retention anchor`,
    );
  }
  // Without an object store nothing is added (docs/governance.md says what that leaves unproven).
  const { checkpoints } = result;
  if (checkpoints?.latest === undefined) {
    if (checkpoints !== undefined)
      lines.push(
        `no checkpoint of a retained record in the object store yet (${checkpoints.archived} of archived records)`,
      );
  } else {
    lines.push(
      `${checkpoints.compared} checkpoints in the object store match the log, the last at record ${checkpoints.latest}` +
        (checkpoints.archived > 0 ? ` (${checkpoints.archived} more of archived records)` : ''),
    );
  }
  return lines.map((line) => `${line}\n`).join('');
}

type Destination =
  | { readonly kind: 'stdout' }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 's3'; readonly url: string; readonly key: string };

/** `--s3 s3://bucket/prefix/name.ndjson.gz` names the object; a bare prefix gets a name by time. */
function s3Destination(url: string, now: number): Destination {
  const named = /^(s3:\/\/.+)\/([^/]+\.ndjson\.gz)$/.exec(url);
  if (named !== null) return { kind: 's3', url: named[1] ?? url, key: named[2] ?? '' };
  const stamp = new Date(now)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return { kind: 's3', url: url.replace(/\/+$/, ''), key: `audit-export-${stamp}.ndjson.gz` };
}

async function exportCommand(
  environment: CliEnvironment,
  dependencies: AuditArchiveCommandDependencies,
  options: ExportOptions,
): Promise<number> {
  const fail = (code: number, message: string): number => {
    environment.stderr(`gatehouse audit export: ${message}\n`);
    return code;
  };
  if (options.out !== undefined && options.s3 !== undefined)
    return fail(exitCodes.usage, 'give --out or --s3, not both');
  if (options.s3 !== undefined && !/^s3:\/\/[a-z0-9]/.test(options.s3)) {
    return fail(exitCodes.usage, `--s3 must be an s3://bucket/prefix URL, not ${JSON.stringify(options.s3)}`);
  }
  let selection: AuditSelection;
  try {
    selection = dependencies.selectionOf(options);
  } catch (error) {
    return fail(exitCodes.usage, (error as Error).message);
  }
  const config = loadConfigOrReport(
    environment,
    options.config === undefined ? {} : { config: options.config },
  );
  if (config === undefined) return exitCodes.usage;
  const destination: Destination =
    options.s3 !== undefined
      ? s3Destination(options.s3, Date.now())
      : options.out !== undefined && options.out !== '-'
        ? { kind: 'file', path: options.out }
        : { kind: 'stdout' };
  let stores: AuditArchiveStores | undefined;
  try {
    stores = await dependencies.openStores(config);
    const counter = { lines: 0 };
    const written = await writeExport(environment, config, destination, stores, selection, counter);
    if (written !== undefined) return fail(exitCodes.failure, written);
    environment.stderr(
      `gatehouse audit export: ${counter.lines} records written to ${describe(destination)}\n`,
    );
    return exitCodes.ok;
  } catch (error) {
    return fail(exitCodes.failure, error instanceof Error ? error.message : String(error));
  } finally {
    await stores?.close().catch(() => undefined);
  }
}

function describe(destination: Destination): string {
  switch (destination.kind) {
    case 'stdout':
      return 'stdout';
    case 'file':
      return destination.path;
    case 's3':
      return `${destination.url}/${destination.key}`;
  }
}

/**
 * Streams the records to the destination page by page; resolves once every byte is flushed (the
 * file closed, the upload complete), or with why nothing was written.
 */
async function writeExport(
  environment: CliEnvironment,
  config: Config,
  destination: Destination,
  stores: AuditArchiveStores,
  selection: AuditSelection,
  counter: { lines: number },
): Promise<string | undefined> {
  const records = recordsOf(stores.audit, selection);
  switch (destination.kind) {
    case 'stdout': {
      const lines = ndjsonStream(records, { gzip: false, counter });
      // The process's stdout is written to, never ended.
      if (environment.stdoutStream === undefined) await pipeline(lines, lineSink(environment));
      else await pipeline(lines, environment.stdoutStream, { end: false });
      return undefined;
    }
    case 'file': {
      const gzip = destination.path.endsWith('.gz');
      // `wx`: an export never replaces a file.
      await pipeline(
        ndjsonStream(records, { gzip, counter }),
        createWriteStream(destination.path, { flags: 'wx' }),
      );
      return undefined;
    }
    case 's3': {
      const opened = await openAuditObjectStore(config, destination.url);
      if (opened === undefined) return 'no object store';
      try {
        const outcome = await opened.store.putNew(
          destination.key,
          ndjsonStream(records, { gzip: true, counter }),
          'application/gzip',
        );
        return outcome === 'exists'
          ? `${describe(destination)} exists already; it was not replaced`
          : undefined;
      } finally {
        opened.close();
      }
    }
  }
}

/** Stdout through the environment's function, when no stream is given (in-process callers). */
function lineSink(environment: CliEnvironment): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      environment.stdout(chunk.toString('utf8'));
      done();
    },
  });
}
