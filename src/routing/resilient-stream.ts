import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError, normalizeError } from '../errors/index.js';
import type { Usage } from '../llm/index.js';
import type { SentSoFar, StartedStream } from './attempt.js';
import type { Frame } from './stream-relay.js';
import type { Answered, StreamSummary } from './types.js';

export interface ResilientStreamOptions {
  readonly first: StartedStream;
  readonly firstTarget: string;
  readonly clientCodec: DialectCodec;
  /** The caller's signal: once it aborts, nothing more is written or attempted. */
  readonly signal: AbortSignal;
  /** Starts a continuation from the next candidate, or gives up (undefined). */
  readonly continueStream: (
    sent: SentSoFar,
    failedTarget: string,
  ) => Promise<{ stream: StartedStream; answered: Answered } | undefined>;
  /** A target failed mid-stream (for its circuit breaker). */
  readonly onFailure: (target: string) => void;
  readonly resolveSummary: (summary: StreamSummary) => void;
}

/**
 * The caller's stream. When the upstream fails after part of the answer was sent, the answer is
 * continued from another target if that can be done faithfully (a plain-text answer of one
 * choice); otherwise, or when no target can continue it, the stream ends with an in-band error and
 * without its terminator, so no client takes a truncated answer for a complete one.
 */
export async function* resilientStream(options: ResilientStreamOptions): AsyncGenerator<Frame> {
  let current = options.first;
  let target = options.firstTarget;
  let sentText = '';
  let usage: Usage | undefined;
  let recoveredBy: Answered | undefined;
  let failure: GatewayError | undefined;
  try {
    for (;;) {
      try {
        yield* current.relay.frames(current.initial);
        usage = current.relay.usage;
        sentText += current.relay.progress().text;
        return;
      } catch (error) {
        const progress = current.relay.progress();
        sentText += progress.text;
        if (options.signal.aborted) return;
        failure = error instanceof GatewayError ? error : normalizeError(error);
        options.onFailure(target);
        const start = options.first.relay.start;
        current.release();
        if (progress.structured || start === undefined) break;
        const next = await options.continueStream({ text: sentText, start }, target);
        if (next === undefined || options.signal.aborted) break;
        current = next.stream;
        target = `${next.answered.provider}/${next.answered.model}`;
        recoveredBy = next.answered;
        failure = undefined;
      }
    }
    if (failure !== undefined && !options.signal.aborted)
      yield options.clientCodec.encodeStreamError(failure);
  } finally {
    current.release();
    if (failure === undefined && options.signal.aborted)
      failure = new GatewayError('client_closed_request', 'The client closed the request.');
    options.resolveSummary({
      complete: failure === undefined && !options.signal.aborted,
      usage,
      error: failure,
      recoveredBy,
      outputText: sentText,
    });
  }
}
