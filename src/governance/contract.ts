/**
 * The shapes the parts of governance agree on: the decision engine (`decisions/`), the policy
 * engine (`policies/`) and the routes that expose them (`http/agent/`). Pure types, no behaviour.
 */

/**
 * What a decision says, most restrictive first: a decision merges its parts' outcomes by taking
 * the earliest in this list (deny > human_review > read_only > allow).
 */
export const decisionKinds = ['deny', 'human_review', 'read_only', 'allow'] as const;
export type DecisionKind = (typeof decisionKinds)[number];

/** What a policy set concludes about one request. */
export interface PolicyVerdict {
  readonly decision: DecisionKind;
  /** Why, naming the deciding policy ids when there are any (`forbid-delete`), else the default. */
  readonly reason: string;
  /** The ids of the policies that determined the verdict. */
  readonly policyIds: readonly string[];
  /**
   * What the set concludes with its shadow policies (`@mode("shadow")`) enforced too, when that
   * differs from the verdict: reported, never enforced.
   */
  readonly shadowed?: PolicyVerdict;
}

/** What a policy is asked: the agent, the action, the resource and the request's context. */
export interface PolicyRequest {
  readonly tenantId: string;
  /** The agent asking (Cedar principal `Agent::"<actor>"`), or the user of a human RBAC check. */
  readonly actor: string;
  /**
   * The Cedar entity type of the principal: `Agent` (the default) for an agent's request, `User`
   * for `POST /v1/authorize`'s human RBAC check, so a policy tells the two apart.
   */
  readonly principalType?: 'Agent' | 'User' | undefined;
  /** Cedar action `Action::"<action>"`. */
  readonly action: string;
  /** The resource's attributes, as the caller sent them (Cedar resource `Resource::"<id>"`). */
  readonly resource: Readonly<Record<string, string>>;
  /**
   * The Cedar entity type of the resource: `Resource` (the default), or `Agent` for a delegation,
   * whose resource is the delegatee (`Agent::"<resource.id>"`, in its tenant like the principal).
   */
  readonly resourceType?: 'Resource' | 'Agent' | undefined;
  readonly context: {
    readonly confidence: number | undefined;
    readonly scope: string | undefined;
    readonly actingFor: string | undefined;
    readonly risk: number;
    /** Seconds since the epoch, for time-bound policies. */
    readonly time: number;
    /** The action's arguments, whatever JSON the caller sent (Lelu's Rego input omits them). */
    readonly args: unknown;
    /** A delegation's terms (action `delegate`): context `scopes`, `ttl_seconds`, `depth`. */
    readonly delegation?: DelegationContext | undefined;
  };
}

/** What a policy sees of a delegation besides the scope being asked about (`context.scope`). */
export interface DelegationContext {
  /** Every scope the delegation grants (Cedar `Set<String>`). */
  readonly scopes: readonly string[];
  /** The grant's lifetime after every cap, in whole seconds (rounded up). */
  readonly ttlSeconds: number;
  /** The grant's place in its chain: 1 for a root. */
  readonly depth: number;
}

/** A compiled policy set, as every replica holds it: evaluated in process, never re-parsed. */
export interface PolicySnapshot {
  /** SHA-256 of the policy text, hex: the `policy_digest` of every decision made with it. */
  readonly digest: string;
  readonly version: number;
  evaluate(request: PolicyRequest): PolicyVerdict;
}
