import type { Usage } from '../../llm/index.js';
import { endRequestSpan, type Metrics } from '../../telemetry/index.js';
import type { FinishedRequest } from '../finished-request.js';
import type { RequestLogger } from '../request-log.js';

export interface LogStageDependencies {
  readonly metrics: Metrics;
  readonly requestLog: RequestLogger;
  /** The type of a configured provider, for the request span. */
  readonly providerType: (provider: string) => string | undefined;
}

export type Report = (finished: FinishedRequest, usage: Usage | undefined, costUsd: number) => void;

/**
 * The last finishing stage: metrics, the request span and the log line, with the figures the
 * request was accounted at. A caller that was never authenticated gets no metrics record.
 */
export function createLogStage(dependencies: LogStageDependencies): Report {
  const { metrics, requestLog, providerType } = dependencies;
  return function report(finished, usage, costUsd) {
    const { principal, meta, status, error, span } = finished;
    if (principal === undefined) {
      endRequestSpan(span, { status, errorCode: error?.code });
      requestLog.log(finished, undefined, 0);
      return;
    }
    metrics.requestRecord({
      keyId: principal.keyId,
      model: finished.model ?? '',
      provider: meta.provider,
      usage,
      costUsd,
      attempts: meta.attempts,
      ...(finished.accounted ? { overheadMs: meta.overheadMs } : {}),
    });
    endRequestSpan(span, {
      status,
      errorCode: error?.code,
      keyId: principal.keyId,
      provider: meta.provider,
      providerType: meta.provider === undefined ? undefined : providerType(meta.provider),
      responseModel: meta.model,
      usage,
      costUsd,
      attempts: meta.attempts,
      cache: meta.cache,
    });
    requestLog.log(finished, usage, costUsd);
  };
}
