import type { Config } from '../config/index.js';
import { createPiiRedaction, piiSettingsFrom } from '../guard/pii/index.js';
import { createRedactAnswerStage, createRedactRequestStage } from '../pipeline/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface PiiNeeds {
  readonly config: Config;
  readonly metrics: Metrics;
  readonly logger: Logger;
}

/**
 * `guard.pii`: the stages that mask personal data and credentials in requests and answers, when
 * configured (logs and traces are masked whatever this says: `createGateway` connects their
 * maskers). Each value masked is counted by kind and place.
 */
export function assemblePii(needs: PiiNeeds): Contribution<undefined> {
  const settings = piiSettingsFrom(needs.config.guard.pii);
  if (!settings.redactRequests && !settings.redactAnswers) return { parts: undefined };
  const redaction = createPiiRedaction(settings.types, (type, place) =>
    needs.metrics.piiDetected(type, place),
  );
  const failed = (error: unknown) =>
    needs.logger.warn({ err: error }, 'PII redaction failed; the call went on as it was');
  return {
    parts: undefined,
    stages: {
      redactRequest: settings.redactRequests ? createRedactRequestStage(redaction, failed) : undefined,
      redactAnswer: settings.redactAnswers ? createRedactAnswerStage(redaction, failed) : undefined,
    },
  };
}
