/**
 * Export, checkpoints and retention of the audit log (docs/governance.md, "Export, checkpoints and
 * retention"): the log as NDJSON, checkpoints of its head kept in the log and in an object store,
 * and retention that archives before it deletes.
 */
export type { AuditArchiveStore, AuditQuery, RetentionAnchor } from './archive-stores.js';
export { archiveRange, checkArchived, type ArchiveOutcome, type ArchiveRange } from './archive-range.js';
export {
  verifyCheckpoints,
  verifyRetention,
  type ArchiveProblem,
  type CheckpointVerification,
} from './archive-verification.js';
export {
  auditRecordView,
  exportLineOf,
  ndjsonStream,
  recordFromExportLine,
  recordsOf,
  type AuditRecordView,
} from './audit-ndjson.js';
export {
  archiveKey,
  checkpointAction,
  checkpointKey,
  parseCheckpointObject,
  retentionAction,
  retentionFactsOf,
  type CheckpointObject,
  type CheckpointTrigger,
} from './checkpoint-record.js';
export {
  createCheckpointer,
  type Checkpointer,
  type CheckpointerDependencies,
  type CheckpointSettings,
} from './checkpointer.js';
export {
  verifyAuditTrail,
  type TrailVerification,
  type TrailVerificationDependencies,
} from './trail-verification.js';
export { objectAddress, type AuditObjectStore, type PutOutcome } from './object-store.js';
export { startPeriodicTask, type PeriodicTask, type PeriodicTaskOptions } from './periodic-task.js';
export {
  pruneAuditLog,
  type PrunedRange,
  type PruneOutcome,
  type RetentionDependencies,
  type RetentionSettings,
} from './retention.js';
