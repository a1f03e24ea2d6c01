import type { DecisionKind } from '../contract.js';
import type { EnforcementMode, GovernanceSettings } from '../governance-settings.js';

/**
 * What a decision tells the caller, in Lelu's terms: read-only is `allowed` with a downgraded
 * scope; human review is not allowed (yet) and flagged; the effective scope is what the agent may
 * act with when allowed: the scope it asked for, or read-only.
 */
export interface DecisionOutcome {
  readonly kind: DecisionKind;
  readonly allowed: boolean;
  readonly reason: string;
  readonly requiresHumanReview: boolean;
  readonly downgradedScope: 'read_only' | undefined;
  readonly effectiveScope: string | undefined;
}

export interface OutcomeContext {
  /** The scope the request asked for. */
  readonly scope: string | undefined;
  /** The catalog marks the action read-only: it is never granted more than read-only scope. */
  readonly readOnlyAction: boolean;
}

export function outcomeOf(kind: DecisionKind, reason: string, context: OutcomeContext): DecisionOutcome {
  const denied = { kind, reason, allowed: false, downgradedScope: undefined, effectiveScope: undefined };
  switch (kind) {
    case 'allow':
      return {
        ...denied,
        allowed: true,
        requiresHumanReview: false,
        effectiveScope: context.readOnlyAction ? 'read_only' : context.scope,
      };
    case 'read_only':
      return {
        ...denied,
        allowed: true,
        requiresHumanReview: false,
        downgradedScope: 'read_only',
        effectiveScope: 'read_only',
      };
    case 'human_review':
      return { ...denied, requiresHumanReview: true };
    case 'deny':
      return { ...denied, requiresHumanReview: false };
  }
}

/** Which setting put a request in shadow mode: the agent's own `mode`, else the global one. */
/** Whose shadow mode: the gateway's, the agent's, or some policies' (`@mode("shadow")`). */
export type ShadowLevel = 'global' | 'agent' | 'policy';

export function enforcementFor(
  settings: GovernanceSettings,
  actor: string,
): { readonly mode: EnforcementMode; readonly level: ShadowLevel } {
  const own = settings.agents.get(actor)?.mode;
  return own === undefined ? { mode: settings.mode, level: 'global' } : { mode: own, level: 'agent' };
}

/** Lelu's shadow reason: the caller proceeds; the `would_have_*` fields carry the real outcome. */
export const shadowReason = 'shadow mode: action allowed (observation only)';

export function shadowOutcome(context: OutcomeContext): DecisionOutcome {
  return outcomeOf('allow', shadowReason, context);
}
