import { piiTypes, type PiiType } from './pii-types.js';

/** The configuration's `guard.pii` section, as this module reads it (config/guard-pii-schema.ts). */
export interface PiiConfigSection {
  readonly redact_requests: boolean;
  readonly redact_answers: boolean;
  readonly types: readonly PiiType[];
}

export interface PiiSettings {
  /** Mask what callers send before a provider sees it. */
  readonly redactRequests: boolean;
  /** Mask what a model answers before the caller sees it. */
  readonly redactAnswers: boolean;
  /** The kinds redacted in requests and answers (logs and traces always mask every kind). */
  readonly types: ReadonlySet<PiiType>;
}

export function piiSettingsFrom(section: PiiConfigSection): PiiSettings {
  return Object.freeze({
    redactRequests: section.redact_requests,
    redactAnswers: section.redact_answers,
    types: new Set(section.types.length === 0 ? piiTypes : section.types),
  });
}
