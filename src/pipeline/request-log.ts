import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { Usage } from '../llm/index.js';
import { createPlainInfoWriter } from '../telemetry/index.js';
import type { FinishedRequest } from './finished-request.js';

export interface RequestLogger {
  /** `usage` and `costUsd` as the request was accounted (a tokenizer's count when it reported none). */
  log(finished: FinishedRequest, usage: Usage | undefined, costUsd: number): void;
}

export interface RequestLogOptions {
  /**
   * Masks credentials and personal data in text the gateway did not write (a provider's error
   * message, the model name a caller sent).
   */
  readonly mask: (text: string) => string;
}

/**
 * One JSON line per request. Only identifiers and figures are logged, never a key, a header value
 * or a prompt; and text a caller or a provider wrote — a failed request's message (often a
 * provider's own words, which may quote the credential it was sent, or the prompt), the requested
 * model name — only once `mask` has masked every credential and personal datum in it.
 */
export function createRequestLogger(logger: Logger, options: RequestLogOptions): RequestLogger {
  // Every field below is an identifier or a figure, so the line may skip pino's redaction pass.
  const writeLine = createPlainInfoWriter(logger);
  // Masking a model name costs about a microsecond; the names a gateway serves repeat, so those
  // found clean once are remembered (a bounded number: a caller's made-up names are masked each time).
  const cleanModels = new Set<string>();
  const maskModel = (model: string): string => {
    if (cleanModels.has(model)) return model;
    const masked = options.mask(model);
    if (masked === model && cleanModels.size < maximumCleanModels) cleanModels.add(model);
    return masked;
  };
  return {
    log(record, usage, costUsd) {
      if (!logger.isLevelEnabled('info')) return;
      const { context, meta, error } = record;
      writeLine(
        {
          request_id: context.requestId,
          key_id: record.principal?.keyId,
          dialect: context.dialect,
          operation: context.operation,
          model: record.model === undefined ? undefined : maskModel(record.model),
          provider: meta.provider,
          target_model: meta.model,
          status: record.status,
          stream: record.stream,
          stream_complete: record.streamComplete,
          attempts: meta.attempts,
          cache: meta.cache,
          input_tokens: usage?.inputTokens,
          output_tokens: usage?.outputTokens,
          cached_tokens: usage?.cachedInputTokens,
          cost_usd: costUsd,
          error_code: error?.code,
          error_message: error === undefined ? undefined : options.mask(error.message),
          // What the error came from (a provider's own words when its message is the gateway's).
          error_cause: error?.cause instanceof Error ? options.mask(error.cause.message) : undefined,
          overhead_ms: round(meta.overheadMs),
          duration_ms: round(performance.now() - context.receivedAt),
        },
        'request',
      );
    },
  };
}

const maximumCleanModels = 1_000;

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
