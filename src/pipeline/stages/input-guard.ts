import { guardHeader, type PromptGuard } from '../../guard/index.js';
import { principalOf, proceed, summaryOf, type RequestStage, type StageResult } from '../stage.js';

/**
 * The `inputGuard` slot: the guard scores a chat request's new user input and tool results before
 * it is answered (docs/guard.md). Synchronous: the detector is in process, so the hot path gains
 * no await. A flag becomes the `x-gatehouse-guard` response header, whatever answers the request
 * (a provider, the cache, a refusal); a block or a closed failure ends the request, its limit lease
 * given back whole since nothing was used. Embeddings pass by.
 */
export function createInputGuardStage(guard: PromptGuard): RequestStage {
  return {
    name: 'input-guard',
    run(call): StageResult {
      const { context } = call;
      if (context.operation !== 'chat') return proceed;
      const principal = principalOf(call);
      const verdict = guard.inspect({
        dialect: context.dialect,
        body: context.body,
        model: summaryOf(call).model,
        headers: context.headers,
        requestId: context.requestId,
        keyId: principal.keyId,
        keyMetadata: principal.metadata,
        agent: principal.agentId,
      });
      if (verdict.type === 'refuse') {
        call.lease?.settle({ tokens: 0, costUsd: 0 }).catch(() => undefined);
        call.lease = undefined;
        return { type: 'reject', error: verdict.error };
      }
      if (verdict.header !== undefined)
        call.meta = {
          ...call.meta,
          stageHeaders: { ...call.meta.stageHeaders, [guardHeader]: verdict.header },
        };
      return proceed;
    },
  };
}
