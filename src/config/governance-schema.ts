import { z } from 'zod';
import { analyticsObject } from './analytics-schema.js';
import { delegationSchema } from './delegation-schema.js';
import { calibrationSchema, modelsSchema, predictionSchema } from './prediction-schema.js';

/**
 * The `governance:` section: how agent actions are decided (docs/governance.md). Gates are
 * confidence thresholds; an agent or action entry may set any of them, and whatever it leaves out
 * comes from the next less specific level (action over agent over global). Every combination that
 * can apply to a request must stay ordered allow ≥ review ≥ read_only, so it is checked here, once,
 * instead of producing nonsense decisions later.
 */

const unitInterval = z.number().min(0).max(1);
const enforcementMode = z.enum(['enforce', 'shadow']);

const partialGatesSchema = z.strictObject({
  allow: unitInterval.optional(),
  review: unitInterval.optional(),
  read_only: unitInterval.optional(),
});

type Gates = { readonly allow: number; readonly review: number; readonly read_only: number };
type PartialGates = z.output<typeof partialGatesSchema>;

/** The default text of `governance.policy.cedar`: everything permitted, gates and risk decide. */
export const defaultCedarPolicy = 'permit(principal, action, resource);';

const governanceFields = z.strictObject({
  /** `shadow`: decide and record, but allow (the `would_have_*` fields say what enforcement would do). */
  mode: enforcementMode.default('enforce'),
  confidence: z
    .strictObject({
      /** Count a bare client-asserted `confidence` when no `confidence_signal` is sent. */
      allow_unverified: z.boolean().default(false),
      /** The outcome when no usable confidence is sent. */
      missing_mode: z.enum(['deny', 'review', 'read_only']).default('deny'),
      gates: z
        .strictObject({
          allow: unitInterval.default(0.9),
          review: unitInterval.default(0.7),
          read_only: unitInterval.default(0.5),
        })
        .prefault({}),
    })
    .prefault({}),
  /** Per agent (the request's `actor`, exactly): gates and mode. */
  agents: z
    .record(
      z.string().min(1),
      z.strictObject({ gates: partialGatesSchema.optional(), mode: enforcementMode.optional() }),
    )
    .default({}),
  /** The action catalog, keyed by glob pattern (`*` any run of characters, `?` one character). */
  actions: z
    .record(
      z.string().min(1),
      z.strictObject({
        criticality: unitInterval.optional(),
        read_only: z.boolean().optional(),
        gates: partialGatesSchema.optional(),
      }),
    )
    .default({}),
  /** Per tenant (`tenant_id`), on `POST /v1/agent/authorize` and `POST /v1/authorize`; unset: unlimited. */
  rate_limit: z.strictObject({ requests_per_minute: z.number().int().positive().optional() }).prefault({}),
  policy: z
    .strictObject({
      /** The initial Cedar policy, used while the database holds none. */
      cedar: z.string().min(1).default(defaultCedarPolicy),
    })
    .prefault({}),
  /** The human-review queue. */
  review: z
    .strictObject({
      /** How long a review stays pending before it is denied as expired (24 h). */
      ttl_seconds: z.number().int().positive().max(31_536_000).default(86_400),
    })
    .prefault({}),
  /** Grants agents pass on: depth, swarm size and lifetime, the confidence floor (delegation-schema.ts). */
  delegation: delegationSchema,
  /**
   * Behavioural analytics: reputation, anomalies and policy effectiveness (analytics-schema.ts), the
   * review-outcome model and the confidence calibrator (prediction-schema.ts).
   */
  analytics: analyticsObject
    .extend({ models: modelsSchema, prediction: predictionSchema, calibration: calibrationSchema })
    .prefault({}),
});

function withOverrides(global: Gates, ...overrides: (PartialGates | undefined)[]): Gates {
  let gates = global;
  for (const override of overrides) {
    gates = {
      allow: override?.allow ?? gates.allow,
      review: override?.review ?? gates.review,
      read_only: override?.read_only ?? gates.read_only,
    };
  }
  return gates;
}

function disorder(gates: Gates): string | undefined {
  if (gates.allow < gates.review) return `allow (${gates.allow}) is below review (${gates.review})`;
  if (gates.review < gates.read_only)
    return `review (${gates.review}) is below read_only (${gates.read_only})`;
  return undefined;
}

type Governance = z.output<typeof governanceFields>;
type Check = (path: (string | number)[], gates: Gates, what: string) => void;

/** Checks the global gates, each agent's and each action's, and each agent × action pair. */
function checkGateOrder(governance: Governance, check: Check): void {
  const global = governance.confidence.gates;
  check(['confidence', 'gates'], global, 'the global gates');
  const agents = Object.entries(governance.agents);
  const actions = Object.entries(governance.actions);
  for (const [name, agent] of agents)
    check(['agents', name, 'gates'], withOverrides(global, agent.gates), `agent ${name}'s gates`);
  for (const [pattern, action] of actions) {
    check(['actions', pattern, 'gates'], withOverrides(global, action.gates), `action ${pattern}'s gates`);
    for (const [name, agent] of agents) {
      if (agent.gates === undefined || action.gates === undefined) continue;
      const gates = withOverrides(global, agent.gates, action.gates);
      check(['actions', pattern, 'gates'], gates, `action ${pattern}'s gates for agent ${name}`);
    }
  }
}

export const governanceSchema = governanceFields
  .superRefine((governance, context) => {
    checkGateOrder(governance, (path, gates, what) => {
      const problem = disorder(gates);
      if (problem === undefined) return;
      context.addIssue({
        code: 'custom',
        path,
        message: `gates must be ordered allow >= review >= read_only: ${what} have ${problem} (unset gates come from the agent, then the global ones)`,
      });
    });
  })
  .prefault({});
