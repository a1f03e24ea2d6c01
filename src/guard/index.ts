/**
 * The guard: prompt-injection detection on the model routes (user input and tool results), in
 * agents' arguments (governance's screening seam) and behind the scan routes (docs/guard.md). The
 * detector is a parameter (`InjectionDetector`, detector/detector-contract.ts).
 */
export type { InjectionDetector, InjectionScore, ScoredSource } from './detector/detector-contract.js';
export { loadInjectionDetector } from './detector/index.js';
export { phraseDetector, patternOf, type PatternScore } from './phrase-detector.js';
export {
  createInjectionGuard,
  type InjectionGuard,
  type InjectionGuardDependencies,
} from './injection-guard.js';
export type { ArgsVerdict, ScreenedFields } from './args-screener.js';
export type { Detection, DetectionAction, GuardAlert, GuardCheck, GuardObserver } from './guard-events.js';
export { guardHeader } from './injection-policy.js';
export {
  injectionSettingsFrom,
  keyActionMetadata,
  type InjectionConfigSection,
  type InjectionSettings,
} from './injection-settings.js';
export type { PromptGuard, PromptRequest, PromptVerdict } from './prompt-guard.js';
export type { ScanAnswer, ScanCaller, ScanOutcome, ScanService } from './scan-service.js';
export type { NamedDetector } from './scoring.js';
