import type { DecisionKind } from '../contract.js';
import type {
  ActionEntry,
  Gates,
  GovernanceSettings,
  MissingConfidenceMode,
} from '../governance-settings.js';

/**
 * Confidence gates. The thresholds that apply come field by field from the most specific level
 * that sets them: the action's catalog entry, then the agent's entry, then the global gates. An
 * action's sensitivity is a property of the action, so it outranks who asks; an agent's entry
 * covers the gates its actions leave unset.
 */

export interface GateVerdict {
  readonly kind: DecisionKind;
  readonly reason: string;
}

export function effectiveGates(
  settings: GovernanceSettings,
  actor: string,
  action: ActionEntry | undefined,
): Gates {
  const global = settings.gates;
  const agent = settings.agents.get(actor)?.gates;
  const own = action?.gates;
  return {
    allow: own?.allow ?? agent?.allow ?? global.allow,
    review: own?.review ?? agent?.review ?? global.review,
    readOnly: own?.readOnly ?? agent?.readOnly ?? global.readOnly,
  };
}

/**
 * At or above a gate passes it: ≥ allow → allow, ≥ review → human_review, ≥ read_only → read_only.
 * With a calibrated value, that is what is compared, and the reason gives both: `confidence 0.8
 * (calibrated 0.93) meets the allow gate 0.9`.
 */
export function gateVerdict(confidence: number, gates: Gates, calibrated?: number): GateVerdict {
  const value = calibrated ?? confidence;
  const named =
    calibrated === undefined ? `${confidence}` : `${confidence} (calibrated ${round(calibrated)})`;
  if (value >= gates.allow)
    return { kind: 'allow', reason: `confidence ${named} meets the allow gate ${gates.allow}` };
  if (value >= gates.review)
    return {
      kind: 'human_review',
      reason: `confidence ${named} is below the allow gate ${gates.allow}: human review required`,
    };
  if (value >= gates.readOnly)
    return {
      kind: 'read_only',
      reason: `confidence ${named} is below the review gate ${gates.review}: downgraded to read_only`,
    };
  return { kind: 'deny', reason: `confidence ${named} is below the read_only gate ${gates.readOnly}` };
}

/** Four decimals: enough to see which side of a gate a calibrated value fell. */
const round = (value: number): number => Math.round(value * 10_000) / 10_000;

/** Lelu's reasons for a request without a usable confidence. */
export function missingConfidenceVerdict(mode: MissingConfidenceMode): GateVerdict {
  switch (mode) {
    case 'deny':
      return { kind: 'deny', reason: 'missing confidence signal from provider; request denied' };
    case 'review':
      return {
        kind: 'human_review',
        reason: 'missing confidence signal from provider; routed to human review',
      };
    case 'read_only':
      return {
        kind: 'read_only',
        reason: 'missing confidence signal from provider; downgraded to read_only',
      };
  }
}
