import { performance } from 'node:perf_hooks';
import { maximumModelNameLength } from '../dialects/index.js';
import type { RequestContext, ResponseMeta } from './context.js';
import type { FinishedRequest } from './finished-request.js';
import type { AccountStage } from './stages/account.js';
import type { Call } from './stage.js';
import type { Report } from './stages/log.js';

/**
 * The finishing side, run once per request after its response was written: the account stage
 * (for a request that reached the cache or routing, or was admitted), then the log stage, then
 * `done` (the request leaves the in-flight set shutdown waits on).
 */
export function createFinish(
  account: AccountStage,
  report: Report,
  done: (context: RequestContext) => void,
): (finished: FinishedRequest) => void {
  return function finish(finished) {
    const { principal } = finished;
    if (!finished.accounted || principal === undefined) {
      report(finished, finished.usage, 0);
      done(finished.context);
      return;
    }
    void account.account(finished, principal).then(({ costUsd, usage }) => {
      report(finished, usage, costUsd);
      done(finished.context);
    });
  };
}

/** How a request ended, beyond what its call already holds. */
export interface Ending {
  readonly usage: FinishedRequest['usage'];
  readonly error: FinishedRequest['error'];
  readonly streamComplete: boolean | undefined;
  readonly savedCostUsd: number;
  readonly outputText: string | undefined;
  readonly accounted: boolean;
}

export function finishedRequest(
  call: Call,
  status: number,
  meta: ResponseMeta,
  ending: Ending,
): FinishedRequest {
  const { context } = call;
  return {
    context,
    span: call.span,
    principal: call.principal,
    model: call.summary?.model ?? loggedModel(context.body),
    // A request refused before validation is logged as it asked (a valid one by its summary).
    stream: call.summary?.stream ?? context.body.stream === true,
    meta,
    status,
    usage: ending.usage,
    error: ending.error,
    streamComplete: ending.streamComplete,
    savedCostUsd: ending.savedCostUsd,
    outputText: ending.outputText,
    lease: call.lease,
    accounted: ending.accounted,
    latencyMs: performance.now() - context.receivedAt,
  };
}

/**
 * The requested model as a log line, a span or a usage record may carry it before (or after)
 * validation refused it: never more than a valid name's length, so a caller's megabyte-long name
 * is not written out whole.
 */
export function loggedModel(body: Readonly<Record<string, unknown>>): string | undefined {
  const model = body.model;
  if (typeof model !== 'string') return undefined;
  return model.length <= maximumModelNameLength ? model : `${model.slice(0, maximumModelNameLength)}…`;
}
