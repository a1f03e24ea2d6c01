export { createMasterKeyAuthenticator, presentedKey, type Authenticator } from './authenticate.js';
export type { Operation, Principal, RequestContext } from './context.js';
export { createPipeline, type CacheResult, type Pipeline, type PipelineResult, type ResponseMeta } from './pipeline.js';
export { createRequestLogger, type RequestLogger } from './request-log.js';
