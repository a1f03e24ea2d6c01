import { z } from 'zod';
import { durationBetween } from './duration.js';

/**
 * `governance.delegation`: the grants agents pass on to each other (docs/governance.md,
 * "Delegation and grants"). Lelu documents these limits (`MAX_DELEGATION_DEPTH`, `MAX_SWARM_SIZE`,
 * `SWARM_OPERATION_TIMEOUT`) and enforces none of them; here each is read, and tested.
 */

/** A week: a swarm is one operation, not a standing credential. */
const longestSwarmMs = 7 * 24 * 3_600_000;

const durationSchema = durationBetween(1, longestSwarmMs, '1ms and 168h', '30s, 500ms, 2m or 1m30s');

export const delegationSchema = z
  .strictObject({
    /** Grants in one chain, the root included: a chain longer than this is refused. */
    max_depth: z.number().int().min(1).max(100).default(5),
    /** Distinct agents in one swarm (every grant under one root, and the root's delegator). */
    max_swarm_size: z.number().int().min(1).max(10_000).default(10),
    /** A swarm's lifetime from its root's creation: no grant in it outlives this. */
    swarm_operation_timeout: durationSchema.prefault('30s'),
    /** The least `confidence` a delegation request may carry. */
    confidence_floor: z.number().min(0).max(1).default(0.9),
    /** Whether a grant bound to a virtual key may be presented as that key on the model routes. */
    llm_routes: z.boolean().default(false),
  })
  .prefault({});
