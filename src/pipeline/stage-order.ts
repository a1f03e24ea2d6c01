import type { AnswerStage, RequestStage } from './stage.js';

/**
 * Stages that features outside the core add, each in its named slot. A feature fills a slot from
 * its assembler in the composition root; an empty slot costs nothing.
 */
export interface StageSlots {
  /** Scans a prompt before it is answered (the guard). */
  readonly inputGuard?: RequestStage | undefined;
  /** Decides an agent's request (governance). */
  readonly agentAuthorize?: RequestStage | undefined;
  /** Masks personal data and credentials in the prompt before the cache and the provider see it. */
  readonly redactRequest?: RequestStage | undefined;
  /** Scans an answer before the caller gets it (the guard). */
  readonly outputScan?: AnswerStage | undefined;
  /** Authorizes the tool calls a model returns to an agent's key (tools). */
  readonly toolFirewall?: AnswerStage | undefined;
  /** Masks personal data and credentials in the answer's text before the caller sees it. */
  readonly redactAnswer?: AnswerStage | undefined;
  /** Stores the conversation (conversations). */
  readonly conversationStorage?: AnswerStage | undefined;
}

export interface CoreStages {
  readonly authenticate: RequestStage;
  readonly validate: RequestStage;
  readonly authorizeModel: RequestStage;
  readonly limit: RequestStage;
  /** Absent without a response cache. */
  readonly cache: RequestStage | undefined;
  readonly route: RequestStage;
  readonly cacheRecord: AnswerStage | undefined;
}

/**
 * The order of the request lifecycle. A request stage may end the request (reject or respond);
 * the route stage always does. Answer stages wrap the answer in this order, so the first sees it
 * as it came (and the cache stores what the model said), the last as the caller will.
 */
export function stageOrder(core: CoreStages, slots: StageSlots) {
  return {
    request: present([
      core.authenticate,
      core.validate,
      core.authorizeModel,
      core.limit,
      slots.inputGuard,
      slots.agentAuthorize,
      slots.redactRequest,
      core.cache,
      core.route,
    ]),
    answer: present([
      core.cacheRecord,
      slots.outputScan,
      slots.toolFirewall,
      slots.redactAnswer,
      slots.conversationStorage,
    ]),
  };
}

function present<T>(stages: readonly (T | undefined)[]): readonly T[] {
  return stages.filter((stage): stage is T => stage !== undefined);
}
