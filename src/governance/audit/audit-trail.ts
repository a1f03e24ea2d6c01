import { auditEntryOf, type AuditEntry, type AuditEvent } from './audit-event.js';

/**
 * What every area holds to record an event: `append` is synchronous and O(1), never awaits and
 * never throws (a request is never failed or slowed by its audit record). The entry gets its id
 * here; the writer batches it off the request path, and the store chains and hashes it.
 */
export interface AuditTrail {
  append(event: AuditEvent): void;
}

export interface AuditTrailDependencies {
  /** The durable writer's `record`. */
  readonly record: (entry: AuditEntry) => void;
  /** Unique across replicas and restarts: a replayed batch is recognised by it. */
  readonly newEventId: (now: number) => string;
  readonly now: () => number;
  /** Told (once per failure, not per event) when an event could not even be queued. */
  readonly onError?: (error: unknown) => void;
}

export function createAuditTrail(dependencies: AuditTrailDependencies): AuditTrail {
  const { record, newEventId, now, onError } = dependencies;
  return {
    append(event) {
      try {
        const at = now();
        record(auditEntryOf(event, newEventId(at), at));
      } catch (error) {
        onError?.(error);
      }
    },
  };
}

/** `audit.enabled: false`: events go nowhere. */
export const disabledAuditTrail: AuditTrail = Object.freeze({ append: () => undefined });
