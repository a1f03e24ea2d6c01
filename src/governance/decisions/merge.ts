import { decisionKinds, type DecisionKind } from '../contract.js';

/**
 * The most-restrictive merge: every part of a decision votes, the earliest kind in `decisionKinds`
 * (deny > human_review > read_only > allow) wins, and the first part that voted for it gives the
 * reason. Parts are listed injection, policy, confidence, risk: a rule someone wrote explains a
 * decision better than a score does, so it gives the reason when both arrive at the same kind.
 */

/** `grant`: the grant the agent presented does not cover the action (delegation/grant-bound.ts). */
export type DecisionSource = 'injection' | 'policy' | 'confidence' | 'risk' | 'grant';

export interface DecisionPart {
  readonly source: DecisionSource;
  readonly kind: DecisionKind;
  readonly reason: string;
}

export function restrictiveness(kind: DecisionKind): number {
  return decisionKinds.length - decisionKinds.indexOf(kind);
}

/** `parts` is never empty: the policy (or the injection screen) always votes. */
export function mergeParts(parts: readonly [DecisionPart, ...DecisionPart[]]): DecisionPart {
  let deciding = parts[0];
  for (const part of parts) {
    if (restrictiveness(part.kind) > restrictiveness(deciding.kind)) deciding = part;
  }
  return deciding;
}

/**
 * For an action the catalog marks read-only, a read-only verdict takes nothing from it: the part
 * votes allow, keeping its reason for the record.
 */
export function forReadOnlyAction(part: DecisionPart): DecisionPart {
  return part.kind === 'read_only' ? { ...part, kind: 'allow' } : part;
}
