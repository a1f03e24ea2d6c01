import type { PiiRedaction } from '../../guard/pii/index.js';
import { proceed, type RequestStage } from '../stage.js';

/**
 * `guard.pii.redact_requests`: personal data and credentials in the prompt are masked before the
 * cache keys it and before any provider sees it. The body's text members are replaced in place
 * (what http/ parsed is this request's own), so both the same-dialect pass-through and
 * translation send the masked text. The guard never fails a request because of its own error: a
 * redaction that throws is reported and the request goes on as it was sent.
 */
export function createRedactRequestStage(
  redaction: PiiRedaction,
  failed: (error: unknown) => void,
): RequestStage {
  return {
    name: 'redact-request',
    run(call) {
      const { context } = call;
      try {
        redaction.request(context.body, context.dialect, context.operation);
      } catch (error) {
        failed(error);
      }
      return proceed;
    },
  };
}
