import type { Dialect } from '../../llm/index.js';

/** A tool call as a model returned it, in either dialect. */
export interface ModelToolCall {
  readonly id: string;
  readonly name: string;
  /** The arguments' JSON text as the model wrote it (Anthropic's `input`, serialised). */
  readonly arguments: string;
}

/**
 * What the firewall did with one call: `allowed` and `approved` (by a reviewer within the wait)
 * pass unchanged; `denied` (by the decision or a reviewer), `held` (a review still pending when
 * the wait ran out) and `failed` (nothing could be decided: fail closed) take the call out.
 */
export type VerdictOutcome = 'allowed' | 'approved' | 'denied' | 'held' | 'failed';

export const verdictOutcomes: readonly VerdictOutcome[] = ['allowed', 'approved', 'denied', 'held', 'failed'];

export interface ToolCallVerdict {
  readonly call: ModelToolCall;
  readonly outcome: VerdictOutcome;
  readonly reason: string;
  /** The decision's trace id (its `decision` audit record); undefined when nothing was decided. */
  readonly traceId: string | undefined;
  readonly tenantId: string | undefined;
  readonly reviewId: string | undefined;
}

export function passes(verdict: ToolCallVerdict): boolean {
  return verdict.outcome === 'allowed' || verdict.outcome === 'approved';
}

/** A refusal that `on_deny: error` turns into an error answer (a held call is only held). */
export function refuses(verdict: ToolCallVerdict): boolean {
  return verdict.outcome === 'denied' || verdict.outcome === 'failed';
}

/** One verdict as the audit trail, the log and the metrics hear of it. */
export interface ToolCallVerdictEvent {
  readonly verdict: ToolCallVerdict;
  readonly agent: string;
  readonly keyId: string;
  readonly requestId: string;
  readonly model: string;
  readonly dialect: Dialect;
  readonly stream: boolean;
  /** SHA-256 (hex) of the arguments' text: what was judged, without recording it. */
  readonly argsHash: string;
  /** ISO 8601, UTC: when the verdict was reached. */
  readonly timestamp: string;
  /** From the call being complete to its verdict, review wait included. */
  readonly latencyMs: number;
}

/** Where verdicts go (an audit record, a log line and a metric each); never throws. */
export interface FirewallObserver {
  judged(event: ToolCallVerdictEvent): void;
}
