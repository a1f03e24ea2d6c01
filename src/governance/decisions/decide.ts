import type { AuthorizeRequest } from '../authorize-request.js';
import type { PolicyRequest, PolicySnapshot } from '../contract.js';
import type { ActionEntry, Gates, GovernanceSettings } from '../governance-settings.js';
import type { AgentSignals } from './agent-signals.js';
import type { ConfidenceCalibration } from './calibration.js';
import { readConfidence, type ConfidenceReading } from './confidence.js';
import { effectiveGates, gateVerdict, missingConfidenceVerdict } from './gates.js';
import { injectionReason, type ArgsScreener } from './injection-screen.js';
import { forReadOnlyAction, mergeParts, type DecisionPart, type DecisionSource } from './merge.js';
import {
  enforcementFor,
  outcomeOf,
  shadowOutcome,
  type DecisionOutcome,
  type OutcomeContext,
  type ShadowLevel,
} from './outcome.js';
import { assessRisk, type RiskAssessment } from './risk.js';

/**
 * The authorize pipeline, as a pure function of the request, the settings, the policy snapshot
 * and what analytics knows: screen → confidence → gates → risk → policy (risk before policy, so
 * policies can see it) → most-restrictive merge → shadow rewrite. Trace ids, hashes, review ids,
 * metrics and the audit event are the route's: this decides, nothing else.
 */

export interface DecisionInputs {
  readonly request: AuthorizeRequest;
  readonly settings: GovernanceSettings;
  readonly policy: PolicySnapshot;
  readonly signals: AgentSignals;
  readonly screen: ArgsScreener;
  /** The confidence calibrator the gates use, once fitted (analytics); absent: none. */
  readonly calibration?: ConfidenceCalibration | undefined;
  /** Milliseconds since the epoch: the policy context's `time`. */
  readonly now: number;
}

export interface Decision extends DecisionOutcome {
  /** Which part gave the outcome (for metrics' `reason_class`); before any shadow rewrite. */
  readonly decidedBy: DecisionSource;
  /** Every part's vote, in merge order. */
  readonly parts: readonly DecisionPart[];
  readonly confidence: ConfidenceReading;
  /** Lelu's `confidence_used`: the measured confidence, 0 when missing. */
  readonly confidenceUsed: number;
  /**
   * What the gates compared instead of the measured confidence, when a calibrator in use mapped
   * it; the risk score and the policy still see the measured one.
   */
  readonly confidenceCalibrated: number | undefined;
  /** The gates applied; undefined when the confidence was missing. */
  readonly gates: Gates | undefined;
  /** Computed at confidence 0 when the confidence is missing (the worst case, for policies to see). */
  readonly risk: RiskAssessment;
  readonly policy: {
    readonly digest: string;
    readonly version: number;
    /** Empty when the policy was not asked (an injection was detected first). */
    readonly policyIds: readonly string[];
    readonly evaluated: boolean;
  };
  readonly readOnlyAction: boolean;
  /**
   * Global or agent shadow mode: the outcome above is an allow, and this is what enforcement would
   * do. Level `policy`: the outcome above is enforced, and this is what it would be with the shadow
   * policies enforced too.
   */
  readonly shadow: { readonly level: ShadowLevel; readonly wouldHave: DecisionOutcome } | undefined;
}

/** Whether the whole request was observed only (global or agent shadow mode): the caller was allowed. */
export function inShadowMode(decision: Decision): boolean {
  return decision.shadow !== undefined && decision.shadow.level !== 'policy';
}

/** What enforcement concludes: in shadow mode the outcome it would have had, not the allow sent. */
export function enforcedOutcome(decision: Decision): DecisionOutcome {
  return decision.shadow !== undefined && inShadowMode(decision) ? decision.shadow.wouldHave : decision;
}

function confidencePart(
  reading: ConfidenceReading,
  gates: Gates,
  settings: GovernanceSettings,
  calibrated: number | undefined,
): DecisionPart {
  const verdict =
    reading.kind === 'missing'
      ? missingConfidenceVerdict(settings.missingConfidenceMode)
      : gateVerdict(reading.value, gates, calibrated);
  return { source: 'confidence', ...verdict };
}

/** A calibrated value outside [0, 1] (or not a number) would be a calibrator's bug: ignored. */
function calibratedConfidence(reading: ConfidenceReading, inputs: DecisionInputs): number | undefined {
  if (reading.kind === 'missing' || inputs.calibration === undefined) return undefined;
  const calibrated = inputs.calibration.calibrate(reading.value);
  return calibrated !== undefined && calibrated >= 0 && calibrated <= 1 ? calibrated : undefined;
}

function policyRequestFor(inputs: DecisionInputs, reading: ConfidenceReading, risk: number): PolicyRequest {
  const { request } = inputs;
  return {
    tenantId: request.tenantId,
    actor: request.actor,
    action: request.action,
    resource: request.resource,
    context: {
      confidence: reading.kind === 'measured' ? reading.value : undefined,
      scope: request.scope,
      actingFor: request.actingFor,
      risk,
      time: Math.floor(inputs.now / 1000),
      args: request.args,
    },
  };
}

interface Evaluation {
  readonly reading: ConfidenceReading;
  readonly calibrated: number | undefined;
  readonly entry: ActionEntry | undefined;
  readonly gates: Gates;
  readonly risk: RiskAssessment;
  readonly parts: readonly [DecisionPart, ...DecisionPart[]];
  readonly policyIds: readonly string[];
  readonly evaluated: boolean;
  /** The policy's vote with its shadow policies enforced, when that differs (never enforced). */
  readonly shadowedPolicy: DecisionPart | undefined;
}

function evaluate(inputs: DecisionInputs): Evaluation {
  const { request, settings, signals } = inputs;
  const screened = inputs.screen({ action: request.action, resource: request.resource, args: request.args });
  const entry = settings.actions.lookup(request.action);
  const reading = readConfidence(request, settings.allowUnverifiedConfidence);
  const gates = effectiveGates(settings, request.actor, entry);
  const calibrated = calibratedConfidence(reading, inputs);
  const confidence = confidencePart(reading, gates, settings, calibrated);
  const risk = assessRisk({
    action: request.action,
    entry,
    confidence: reading.kind === 'measured' ? reading.value : 0,
    reliability: signals.reliability(request.tenantId, request.actor),
    anomalyFactor: signals.anomalyFactor(request.tenantId, request.actor),
  });
  // Without a confidence, `missing_mode` is the operator's answer for everything confidence
  // decides, the risk band included; the policy still votes.
  const riskParts: DecisionPart[] =
    reading.kind === 'measured' ? [{ source: 'risk', kind: risk.kind, reason: risk.reason }] : [];
  if (screened.detected) {
    // Injected text never reaches the policy engine.
    const injection: DecisionPart = { source: 'injection', kind: 'deny', reason: injectionReason(screened) };
    return {
      reading,
      calibrated,
      entry,
      gates,
      risk,
      parts: [injection, confidence, ...riskParts],
      policyIds: [],
      evaluated: false,
      shadowedPolicy: undefined,
    };
  }
  const verdict = inputs.policy.evaluate(policyRequestFor(inputs, reading, risk.score));
  const policy: DecisionPart = { source: 'policy', kind: verdict.decision, reason: verdict.reason };
  return {
    reading,
    calibrated,
    entry,
    gates,
    risk,
    parts: [policy, confidence, ...riskParts],
    policyIds: verdict.policyIds,
    evaluated: true,
    shadowedPolicy:
      verdict.shadowed === undefined
        ? undefined
        : { source: 'policy', kind: verdict.shadowed.decision, reason: verdict.shadowed.reason },
  };
}

/** The parts as they vote: a read-only action takes nothing from a read-only vote. */
function votingParts(
  parts: readonly [DecisionPart, ...DecisionPart[]],
  readOnlyAction: boolean,
): readonly [DecisionPart, ...DecisionPart[]] {
  if (!readOnlyAction) return parts;
  const [first, ...rest] = parts;
  return [forReadOnlyAction(first), ...rest.map(forReadOnlyAction)];
}

/**
 * Shadow mode for the whole request (globally or for the agent): the caller is allowed and the
 * enforced outcome is what would have been. Else, when shadow policies would change the policy's
 * vote, the enforced outcome stands and the outcome with them enforced is what would have been.
 */
function shadowOf(
  evaluation: Evaluation,
  enforcement: { readonly mode: string; readonly level: ShadowLevel },
  enforced: DecisionOutcome,
  context: OutcomeContext,
): Decision['shadow'] {
  if (enforcement.mode === 'shadow') return { level: enforcement.level, wouldHave: enforced };
  if (evaluation.shadowedPolicy === undefined) return undefined;
  const [, ...others] = evaluation.parts;
  const observed = mergeParts(votingParts([evaluation.shadowedPolicy, ...others], context.readOnlyAction));
  return { level: 'policy', wouldHave: outcomeOf(observed.kind, observed.reason, context) };
}

export function decide(inputs: DecisionInputs): Decision {
  const { request, settings } = inputs;
  const evaluation = evaluate(inputs);
  const readOnlyAction = evaluation.entry?.readOnly ?? false;
  const voting = votingParts(evaluation.parts, readOnlyAction);
  const deciding = mergeParts(voting);
  const context: OutcomeContext = { scope: request.scope, readOnlyAction };
  const enforced = outcomeOf(deciding.kind, deciding.reason, context);
  const enforcement = enforcementFor(settings, request.actor);
  const { reading } = evaluation;
  return {
    ...(enforcement.mode === 'shadow' ? shadowOutcome(context) : enforced),
    decidedBy: deciding.source,
    parts: voting,
    confidence: reading,
    confidenceUsed: reading.kind === 'measured' ? reading.value : 0,
    confidenceCalibrated: evaluation.calibrated,
    gates: reading.kind === 'measured' ? evaluation.gates : undefined,
    risk: evaluation.risk,
    policy: {
      digest: inputs.policy.digest,
      version: inputs.policy.version,
      policyIds: evaluation.policyIds,
      evaluated: evaluation.evaluated,
    },
    readOnlyAction,
    shadow: shadowOf(evaluation, enforcement, enforced, context),
  };
}
