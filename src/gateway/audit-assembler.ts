import type { Config } from '../config/index.js';
import {
  createDurableWriter,
  createRecordIdGenerator,
  newRecordIdWriter,
  type DurableWriter,
} from '../durable/index.js';
import {
  auditLineCodec,
  auditSettingsFrom,
  createAuditTrail,
  disabledAuditTrail,
  keyChangeAuditEvent,
  type AuditEntry,
  type AuditStore,
  type AuditTrail,
} from '../governance/audit/index.js';
import type { KeyChangeEvents } from '../keys/index.js';
import type { Logger } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface AuditNeeds {
  readonly config: Config;
  readonly store: AuditStore;
  readonly logger: Logger;
}

export interface AuditParts {
  /** What every area appends its events to (a no-op with `audit.enabled: false`). */
  readonly trail: AuditTrail;
  /** The writer behind it, for `/admin/providers`; undefined when disabled. */
  readonly writer: DurableWriter<AuditEntry> | undefined;
  /** Key changes (the keys module's sink) as audit events. */
  readonly keyEvents: KeyChangeEvents;
  /**
   * The writer part of this process's audit event ids (`recordIdWriter`): analytics, reading the
   * log, skips the decisions this process recorded itself. Undefined when disabled.
   */
  readonly writerId: string | undefined;
}

/**
 * The audit trail: events queued on the request path, written by the durable writer (the usage
 * writer's mechanism, with a spool directory of its own) to the store, which chains them. Assembled
 * before the areas that record, so it closes after them: their last events are flushed (or
 * spilled) before the database closes.
 */
export function assembleAudit(needs: AuditNeeds): Contribution<AuditParts> {
  const { logger } = needs;
  const settings = auditSettingsFrom(needs.config);
  if (!settings.enabled) {
    return {
      parts: {
        trail: disabledAuditTrail,
        writer: undefined,
        keyEvents: { keyChanged: () => undefined },
        writerId: undefined,
      },
    };
  }
  const writer = createDurableWriter<AuditEntry>({
    ...settings,
    sink: {
      async insertBatch(entries) {
        await needs.store.append(entries);
      },
    },
    codec: auditLineCodec,
    label: 'audit',
    identify: (entry) => ({ event_id: entry.eventId, type: entry.type }),
    logger,
  });
  let reported = false;
  const writerId = newRecordIdWriter();
  const trail = createAuditTrail({
    record: (entry) => writer.record(entry),
    newEventId: createRecordIdGenerator(writerId),
    now: Date.now,
    onError(error) {
      if (reported) return;
      reported = true;
      logger.error({ err: error }, 'an audit event could not be recorded');
    },
  });
  return {
    parts: {
      trail,
      writer,
      keyEvents: { keyChanged: (change) => trail.append(keyChangeAuditEvent(change)) },
      writerId,
    },
    close: () => writer.close(),
  };
}
