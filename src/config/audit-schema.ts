import { z } from 'zod';

/**
 * The `audit:` section: the audit log (docs/governance.md, "Audit"). Its writer is the usage
 * writer's mechanism (batched, buffered, spilled to disk, replayed), tuned by the same knobs, with a
 * spool directory of its own.
 */
export const auditSchema = z
  .strictObject({
    /** `false`: nothing is recorded (and `gatehouse audit verify` finds an empty log). */
    enabled: z.boolean().default(true),
    /** Records appended to the chain per database transaction. */
    batch_size: z.number().int().positive().max(10_000).default(500),
    flush_interval_ms: z.number().int().positive().default(1_000),
    /**
     * Records held in memory while the database is slow before spilling to disk; once a write
     * fails (the database is unreachable) everything is spilled at once.
     */
    memory_buffer: z.number().int().positive().default(10_000),
    /** `disk`: each record is also journaled on disk when it is recorded (no loss on a crash). */
    durability: z.enum(['memory', 'disk']).default('memory'),
    /** Where records wait on disk while the database is away; default `<data_dir>/audit-spool`. */
    spool_dir: z.string().min(1).optional(),
  })
  .prefault({});
