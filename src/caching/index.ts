/**
 * The response cache: exact-match (L1 in process, L2 shared) and semantic, scoped per tenant,
 * for streaming and non-streaming answers alike. See docs/caching.md.
 */
export { AnswerAssembler, storableResponse, type Assembled } from './answer-assembler.js';
export {
  recordJsonAnswer,
  recordStreamAnswer,
  type Frame,
  type RecordOutcome,
  type StoreAnswer,
  type StreamEnding,
} from './answer-recorder.js';
export {
  chunks,
  framesOf,
  replayEvents,
  replayJson,
  replayStream,
  type ReplayOptions,
} from './answer-replay.js';
export { parseCachedAnswer, type AnsweredBy, type CachedAnswer } from './cached-answer.js';
export {
  cacheKeyFromHash,
  cacheKeyOf,
  cacheScope,
  cacheTag,
  semanticPartition,
  type CacheKey,
} from './cache-key.js';
export {
  silentLogger,
  silentObserver,
  type CacheLayerName,
  type CacheLayerResult,
  type CacheLogger,
  type CacheObserver,
} from './cache-observer.js';
export { cachePolicy, cacheTtlHeader, type BypassReason, type CachePolicy } from './cache-policy.js';
export {
  cacheSettingsFrom,
  defaultCacheSettings,
  effectiveCacheSettings,
  type CacheConfigSection,
  type CacheSettings,
  type EffectiveCacheSettings,
  type ModelCacheSettings,
  type SemanticSettings,
} from './cache-settings.js';
export type {
  LocalCacheStatistics,
  LocalCacheStore,
  SemanticEntry,
  SemanticIndex,
  SemanticMatch,
  SemanticQuery,
  SharedCacheStore,
  TagSelector,
} from './cache-stores.js';
export { canonicalJson } from './canonical-json.js';
export { canonicalRequest, splitLastUserText } from './request-canonical.js';
export {
  createResponseCache,
  type CacheLookup,
  type PurgeCounts,
  type PurgeSelector,
  type ResponseCache,
  type ResponseCacheOptions,
  type ResponseCacheStatistics,
} from './response-cache.js';
export {
  createResponseCaching,
  type AnswerRecorder,
  type CachedResponse,
  type CacheDecision,
  type CacheInspection,
  type CachePurgeResult,
  type CacheRequest,
  type ResponseCaching,
  type ResponseCachingOptions,
} from './response-caching.js';
export {
  createSemanticCache,
  type Embedder,
  type SemanticCache,
  type SemanticStatistics,
} from './semantic-cache.js';
export { dotProduct, unitVector } from './semantic-vectors.js';
