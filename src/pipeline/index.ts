export { mayUseModel } from '../keys/index.js';
export type { CacheResult, Operation, Principal, RequestContext, ResponseMeta } from './context.js';
export { createPipeline, type Pipeline, type PipelineDependencies, type PipelineResult } from './pipeline.js';
export { mapFrames, type Frame } from './frames.js';
export { createRequestLogger, type RequestLogger } from './request-log.js';
export type { Answer, AnswerStage, Call, RequestStage, StageResult } from './stage.js';
export { proceed } from './stage.js';
export type { StageSlots } from './stage-order.js';
export type { Authentication, Authenticator } from './stages/authenticate.js';
