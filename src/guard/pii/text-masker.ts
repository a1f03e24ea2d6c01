import { maskAll } from './masking.js';
import type { PiiType } from './pii-types.js';
import { scanText } from './scanner.js';

/**
 * Masks every kind the detector knows in text bound for a log line or a span: in logs and traces
 * masking is not optional (docs/pii.md). Its detections are reported once something listens:
 * the logger is made before the metrics that count what it masks, so the composition root
 * connects the two later.
 */
export interface TextMasker {
  /** `text` with every value found replaced by its mask (`[EMAIL]`, `[CARD:...1234]`, ...). */
  readonly mask: (text: string) => string;
  /** Where each detection is reported from now on (earlier ones are not counted). */
  readonly reportTo: (report: (type: PiiType) => void) => void;
}

export function createTextMasker(): TextMasker {
  let report: ((type: PiiType) => void) | undefined;
  return {
    mask: (text) => maskAll(text, scanText, report),
    reportTo(listener) {
      report = listener;
    },
  };
}

/** `text` with the values of `types` (every kind by default) masked; for callers that count nothing. */
export function maskText(text: string, types?: ReadonlySet<PiiType>): string {
  return maskAll(text, (current) => scanText(current, types));
}
