/**
 * The durable writer: records (usage, audit) written to the database in batches off the request
 * path, buffered while it is away, spilled to disk when the buffer fills, replayed exactly once
 * after. Record-type agnostic: each kind brings its sink (the store), its line codec and its label.
 * A leaf shared by feature modules (it imports nothing of ours), like telemetry/.
 */
export { createDurableWriter } from './durable-writer.js';
export type {
  DurableSink,
  DurableWriter,
  DurableWriterLogger,
  DurableWriterOptions,
  DurableWriterSettings,
  DurableWriterStats,
} from './writer-types.js';
export type { Timers } from './background-lane.js';
export { recordsToLines, type LineCodec } from './line-codec.js';
export { createSpool, type Spool } from './spool.js';
export { createJournal, type Journal } from './journal.js';
export {
  createRecordIdGenerator,
  newRecordIdWriter,
  recordIdWriter,
  timeOrderedUuid,
  type RecordIdGenerator,
} from './record-id.js';
