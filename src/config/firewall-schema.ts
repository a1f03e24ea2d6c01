import { z } from 'zod';

/**
 * The `firewall:` section: the tool-call firewall (docs/tool-firewall.md). Tool calls a model
 * returns to a key bound to an agent are authorized before the caller receives them.
 */
export const firewallSchema = z
  .strictObject({
    /** `false`: tool calls reach agents unjudged (and the firewall costs nothing). */
    enabled: z.boolean().default(true),
    /** A denied call is taken out of the answer (`remove`), or the whole answer is refused (`error`). */
    on_deny: z.enum(['remove', 'error']).default('remove'),
    /** How long an answer waits for a reviewer when a call needs review; 0: not at all. */
    review_wait_ms: z.number().int().min(0).max(300_000).default(30_000),
    /**
     * The confidence each call is authorized with: a model's tool call asserts none. `1` lets the
     * policy (and a grant) decide; lower lets the gates and the risk bands act; `null` asks with
     * none, so that `governance.confidence.missing_mode` decides.
     */
    confidence: z.number().min(0).max(1).nullable().default(1),
  })
  .prefault({});
