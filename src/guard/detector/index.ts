export type { InjectionDetector, InjectionScore, ScoredSource } from './detector-contract.js';
export { loadInjectionDetector } from './load-detector.js';
