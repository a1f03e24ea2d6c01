/** The decision engine: pure functions from a validated request, settings and a policy snapshot to a decision. */
export { decide, enforcedOutcome, inShadowMode, type Decision, type DecisionInputs } from './decide.js';
export { neutralAgentSignals, type AgentSignals } from './agent-signals.js';
export { noCalibration, type ConfidenceCalibration } from './calibration.js';
export {
  confidenceFromSignal,
  readConfidence,
  type ConfidenceReading,
  type MeasuredSource,
} from './confidence.js';
export { effectiveGates, gateVerdict, missingConfidenceVerdict, type GateVerdict } from './gates.js';
export {
  injectionReason,
  type ArgsScreener,
  type ScreenedFields,
  type ScreenVerdict,
} from './injection-screen.js';
export { mergeParts, type DecisionPart, type DecisionSource } from './merge.js';
export { shadowReason, type DecisionOutcome, type ShadowLevel } from './outcome.js';
export {
  actionCriticality,
  assessRisk,
  criticalityClass,
  riskBands,
  type CriticalityClass,
  type CriticalitySource,
  type RiskAssessment,
} from './risk.js';
