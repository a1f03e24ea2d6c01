import type { GatewayError } from '../errors/index.js';
import type { IncomingHeaders, Tracing } from '../telemetry/index.js';
import type { AgentAuthorizeAnswer } from './agent-answer.js';
import type { AuthorizeRequest } from './authorize-request.js';
import type { DecisionKind, PolicySnapshot } from './contract.js';
import type { AgentSignals } from './decisions/agent-signals.js';
import type { ConfidenceCalibration } from './decisions/calibration.js';
import type { Decision } from './decisions/decide.js';
import type { ArgsScreener } from './decisions/injection-screen.js';
import type { ActiveGrant } from './delegation/grant-registry.js';
import type { DecisionEvents } from './events.js';
import type { GovernanceSettings } from './governance-settings.js';

/** What the authorizer (authorizer.ts) is given, and what it is asked and answers. */

/** What metrics learn of each decision (the telemetry assembler's metrics satisfy it). */
export interface DecisionObserver {
  decided(decision: Decision, latencySeconds: number): void;
  /** A person's check (`POST /v1/authorize`): what the policy decided. */
  decidedForUser(decision: DecisionKind): void;
}

export interface AuthorizerDependencies {
  readonly settings: GovernanceSettings;
  /** The policy in force on this replica, read once per decision. */
  readonly policy: () => PolicySnapshot;
  readonly signals: AgentSignals;
  /** The confidence calibrator the gates use once fitted (analytics); absent: none. */
  readonly calibration?: ConfidenceCalibration;
  readonly screen: ArgsScreener;
  readonly events: DecisionEvents;
  readonly observer: DecisionObserver;
  /** Counts one request against the tenant's rate; the 429 when the tenant is over it. */
  readonly admitTenant: (tenantId: string) => Promise<GatewayError | undefined>;
  readonly tracing: Pick<Tracing, 'startRequestSpan'>;
  /** Milliseconds since the epoch (policy time, event timestamps). */
  readonly now: () => number;
  /** A monotonic clock in milliseconds (latency). */
  readonly elapsed: () => number;
  readonly newTraceId: () => string;
  /**
   * Queues a `human_review` answer for a person, with the ids of the policies that let it through;
   * resolves with the review id once the item is in the database (the caller may wait on it as
   * soon as it has the answer). Absent: nothing queued.
   */
  readonly queueReview?: (
    request: AuthorizeRequest,
    answer: AgentAuthorizeAnswer,
    policyIds: readonly string[],
  ) => Promise<string>;
}

export interface AuthorizeCall {
  readonly body: unknown;
  readonly headers: IncomingHeaders;
  /**
   * The agent the caller's key is bound to: the request may only be about it (a missing `actor`
   * is filled in with it). Undefined for the master key and unbound admin keys.
   */
  readonly boundAgent: string | undefined;
  /**
   * The grant the caller presented as its credential (`boundAgent` is then its holder): it bounds
   * what may be allowed, and the decision's span joins its trace (delegation/grant-bound.ts).
   */
  readonly grant?: ActiveGrant | undefined;
}

export type AuthorizeOutcome<Answer> =
  | { readonly type: 'answered'; readonly answer: Answer }
  | { readonly type: 'rejected'; readonly error: GatewayError };
