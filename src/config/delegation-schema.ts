import { z } from 'zod';

/**
 * `governance.delegation`: the grants agents pass on to each other (docs/governance.md,
 * "Delegation and grants"). Lelu documents these limits (`MAX_DELEGATION_DEPTH`, `MAX_SWARM_SIZE`,
 * `SWARM_OPERATION_TIMEOUT`) and enforces none of them; here each is read, and tested.
 */

const durationUnits: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
const durationPattern = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const durationPart = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Go's duration syntax, as Lelu's `SWARM_OPERATION_TIMEOUT=30s` is written: `500ms`, `30s`,
 * `1m30s`, `2h`. A bare number is refused, because it does not say its unit.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!durationPattern.test(trimmed)) return undefined;
  let milliseconds = 0;
  for (const [, amount = '0', unit = 's'] of trimmed.matchAll(durationPart)) {
    milliseconds += Number(amount) * (durationUnits[unit] ?? 1_000);
  }
  return Math.round(milliseconds);
}

/** A week: a swarm is one operation, not a standing credential. */
const longestSwarmMs = 7 * 24 * 3_600_000;

const durationSchema = z.union([z.string(), z.number()]).transform((value, context) => {
  const milliseconds = typeof value === 'string' ? parseDuration(value) : undefined;
  if (milliseconds === undefined || milliseconds < 1 || milliseconds > longestSwarmMs) {
    context.addIssue({
      code: 'custom',
      message: `expected a duration with its unit between 1ms and 168h, like 30s, 500ms, 2m or 1m30s; got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return milliseconds;
});

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
