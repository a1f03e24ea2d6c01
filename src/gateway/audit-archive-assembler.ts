import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import {
  auditEventTypes,
  auditRecordView,
  createCheckpointer,
  isAuditEventType,
  pruneAuditLog,
  startPeriodicTask,
  type AuditObjectStore,
  type PeriodicTask,
} from '../governance/audit/index.js';
import { registerAdminAuditRoutes, type AuditLogReader } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';
import { openAuditObjectStore } from './audit-object-store.js';

export interface AuditArchiveNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly keys: KeyService;
  /** The admin API's dialect for errors. */
  readonly codec: DialectCodec;
  readonly logger: Logger;
}

/** How often each replica looks at the head for a due checkpoint: one small read. */
const checkpointTickMs = 2_000;
/** Retention's first look after start, then every `retention_check_minutes`. */
const retentionFirstDelayMs = 1_000;

/**
 * The audit log's upkeep and its admin route: periodic checkpoints (to the log and the object
 * store), periodic retention (archive, then delete; one replica at a time by a lease) and
 * `GET /admin/audit`. Assembled after the audit trail, so it stops before the writer closes.
 */
export async function assembleAuditArchive(needs: AuditArchiveNeeds): Promise<Contribution<undefined>> {
  const { config, stores, logger } = needs;
  const opened = await openAuditObjectStore(config);
  const objects = opened?.store;
  const tasks: PeriodicTask[] = [];
  if (config.audit.enabled && config.audit.checkpoints.enabled) tasks.push(checkpointTask(needs, objects));
  if (config.audit.retention_days !== undefined) {
    if (objects === undefined) {
      logger.warn(
        { retention_days: config.audit.retention_days },
        'audit.retention_days is set without audit.archive.s3: old audit records are deleted without an archive',
      );
    }
    tasks.push(retentionTask(needs, config.audit.retention_days, objects));
  }
  const reader: AuditLogReader = {
    page: async ({ type, ...filter }) => {
      if (type !== undefined && !isAuditEventType(type)) return [];
      return (await stores.auditArchive.query({ ...filter, type })).map(auditRecordView);
    },
  };
  return {
    parts: undefined,
    routes: [
      (app) =>
        registerAdminAuditRoutes(app, {
          reader,
          keys: needs.keys,
          codec: needs.codec,
          eventTypes: auditEventTypes,
        }),
    ],
    close: async () => {
      await Promise.all(tasks.map((task) => task.stop()));
      opened?.close();
    },
  };
}

function checkpointTask(needs: AuditArchiveNeeds, objects: AuditObjectStore | undefined): PeriodicTask {
  const { checkpoints } = needs.config.audit;
  const checkpointer = createCheckpointer({
    store: needs.stores.audit,
    archive: needs.stores.auditArchive,
    objects,
    settings: { everyRecords: checkpoints.every_records, everyMs: checkpoints.every_minutes * 60_000 },
    now: Date.now,
    onCheckpoint: (checkpoint) =>
      needs.logger.info({ seq: checkpoint.seq, hash: checkpoint.hash }, 'audit checkpoint written'),
  });
  let failing = false;
  return startPeriodicTask({
    run: async () => {
      await checkpointer.tick();
      failing = false;
    },
    intervalMs: checkpointTickMs,
    firstDelayMs: checkpointTickMs,
    // Once per outage, not every two seconds.
    onError: (error) => {
      if (!failing) needs.logger.warn({ err: error }, 'audit checkpoint failed; retrying');
      failing = true;
    },
  });
}

function retentionTask(
  needs: AuditArchiveNeeds,
  retentionDays: number,
  objects: AuditObjectStore | undefined,
): PeriodicTask {
  const { config, stores, logger } = needs;
  const holder = `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  return startPeriodicTask({
    run: async () => {
      const outcome = await pruneAuditLog({
        store: stores.audit,
        archive: stores.auditArchive,
        objects,
        settings: { retentionDays, recordsPerObject: config.audit.archive.records_per_object },
        now: Date.now,
        holder,
        onPruned: (range) => logger.info({ ...range }, 'audit records archived and deleted'),
      });
      if (outcome.type === 'failed') {
        logger.error(
          { reason: outcome.reason, anchor: outcome.anchor.seq },
          'audit retention stopped; nothing more deleted',
        );
      }
    },
    intervalMs: config.audit.retention_check_minutes * 60_000,
    firstDelayMs: retentionFirstDelayMs,
    onError: (error) => logger.error({ err: error }, 'audit retention failed; nothing more deleted'),
  });
}
