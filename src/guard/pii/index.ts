/**
 * PII and secret detection (docs/pii.md): a detector for personal data and credentials, the masks
 * that replace what it finds, and the rewriting of requests, answers, log lines and span values.
 * A leaf: it imports nothing of the gateway's, so telemetry (through the composition root), the
 * configuration's secret scrubber and the pipeline's stages can all use the one detector.
 */
export { piiTypes, credentialTypes, isPiiType, type Finding, type PiiType } from './pii-types.js';
export { scanText } from './scanner.js';
export { applyMasks, maskLabel } from './masking.js';
export { createTextMasker, maskText, type TextMasker } from './text-masker.js';
export { HeldText, maxHeldCharacters } from './held-text.js';
export { createPiiRedaction, type DetectionPlace, type PiiRedaction } from './redaction.js';
export { piiSettingsFrom, type PiiConfigSection, type PiiSettings } from './pii-settings.js';
export type { StreamFrame } from './answer-stream.js';
export type { RequestDialect, RequestOperation } from './request-redaction.js';
