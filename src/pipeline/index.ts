export type { Authenticator } from './authenticate.js';
export { mayUseModel } from '../keys/index.js';
export type { CacheResult, Operation, Principal, RequestContext, ResponseMeta } from './context.js';
export { createPipeline, type Authentication, type Pipeline, type PipelineResult } from './pipeline.js';
export { createRequestLogger, type RequestLogger } from './request-log.js';
