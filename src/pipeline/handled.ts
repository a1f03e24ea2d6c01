import type { GatewayError } from '../errors/index.js';
import type { ResponseMeta } from './context.js';
import { finishedRequest } from './finish.js';
import type { FinishedRequest } from './finished-request.js';
import type { Answer, Call } from './stage.js';

export type PipelineResult =
  | { readonly type: 'error'; readonly error: GatewayError; readonly meta: ResponseMeta }
  | { readonly type: 'json'; readonly body: Buffer; readonly meta: ResponseMeta }
  | {
      readonly type: 'stream';
      readonly frames: AsyncIterable<Uint8Array | string>;
      readonly meta: ResponseMeta;
    };

/** What the caller writes, and what it calls once it has written it (only the first call counts). */
export interface Handled {
  readonly result: PipelineResult;
  readonly finished: (status: number) => void;
}

/** How a request ends, refused or answered, each with the one `finished` that settles it. */
export function createHandled(finish: (finished: FinishedRequest) => void) {
  /** A refusal, or a failure: accounted when the request was admitted (which settles its lease). */
  function rejected(call: Call, error: GatewayError, meta: ResponseMeta): Handled {
    let finished = false;
    return {
      result: { type: 'error', error, meta },
      finished: (status) => {
        if (finished) return;
        finished = true;
        finish(
          finishedRequest(call, status, meta, {
            usage: undefined,
            error,
            streamComplete: undefined,
            savedCostUsd: 0,
            outputText: undefined,
            accounted: call.lease !== undefined,
          }),
        );
      },
    };
  }

  function answered(call: Call, answer: Answer): Handled {
    let finished = false;
    const result: PipelineResult =
      answer.type === 'stream'
        ? { type: 'stream', frames: answer.frames, meta: answer.meta }
        : answer.error === undefined
          ? { type: 'json', body: answer.body, meta: answer.meta }
          : { type: 'error', error: answer.error, meta: answer.meta };
    return {
      result,
      finished: (status) => {
        if (finished) return;
        finished = true;
        finishAnswer(call, answer, status);
      },
    };
  }

  /** A stream is accounted once it has ended, however it ended, at the target that finished it. */
  function finishAnswer(call: Call, answer: Answer, status: number): void {
    if (answer.type === 'json' || answer.ending === undefined) {
      finish(
        finishedRequest(call, status, answer.meta, {
          usage: answer.usage,
          error: answer.type === 'json' ? answer.error : undefined,
          streamComplete: answer.type === 'stream' ? true : undefined,
          savedCostUsd: answer.savedCostUsd,
          outputText: undefined,
          accounted: true,
        }),
      );
      return;
    }
    void answer.ending.then((summary) => {
      const recovered = summary.recoveredBy;
      const meta =
        recovered === undefined
          ? answer.meta
          : {
              ...answer.meta,
              provider: recovered.provider,
              model: recovered.model,
              attempts: recovered.attempts,
            };
      finish(
        finishedRequest(call, summary.error?.code === 'client_closed_request' ? 499 : status, meta, {
          usage: summary.usage,
          error: summary.error,
          streamComplete: summary.complete,
          savedCostUsd: answer.savedCostUsd,
          outputText: summary.outputText,
          accounted: true,
        }),
      );
    });
  }

  return { rejected, answered };
}
