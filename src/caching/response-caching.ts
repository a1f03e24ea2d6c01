import type { DialectCodec, RequestSummary } from '../dialects/codec.js';
import type { GatewayError } from '../errors/index.js';
import type { ChatResponse, Dialect, Usage } from '../llm/index.js';
import {
  recordJsonAnswer,
  recordStreamAnswer,
  type Frame,
  type RecordOutcome,
  type StreamEnding,
} from './answer-recorder.js';
import { framesOf, replayJson, replayStream } from './answer-replay.js';
import type { AnsweredBy, CachedAnswer } from './cached-answer.js';
import { cacheKeyFromHash, cacheKeyOf, semanticPartition, type CacheKey } from './cache-key.js';
import { silentObserver, type CacheObserver } from './cache-observer.js';
import { cachePolicy, type BypassReason } from './cache-policy.js';
import { effectiveCacheSettings, type CacheSettings, type SemanticSettings } from './cache-settings.js';
import { canonicalRequest, splitLastUserText } from './request-canonical.js';
import type { PurgeCounts, PurgeSelector, ResponseCache, ResponseCacheStatistics } from './response-cache.js';
import type { SemanticCache, SemanticStatistics } from './semantic-cache.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface ResponseCachingOptions {
  readonly settings: CacheSettings;
  readonly cache: ResponseCache;
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  /** Absent: semantic settings of models are ignored. */
  readonly semantic?: SemanticCache | undefined;
  readonly observer?: CacheObserver | undefined;
  /** Unix milliseconds. */
  readonly now?: (() => number) | undefined;
  /** Characters per text event when a cached answer is replayed as a stream. */
  readonly replayChunkCharacters?: number | undefined;
}

/** A validated chat request, as the pipeline has it. */
export interface CacheRequest {
  readonly dialect: Dialect;
  /** From `cacheScope(principal)`. */
  readonly scope: string;
  /** Lower-cased request headers. */
  readonly headers: Headers;
  readonly body: Readonly<Record<string, unknown>>;
  /** What validation read from the body: the model, and how the answer is to be delivered. */
  readonly summary: Pick<RequestSummary, 'model' | 'stream' | 'includeUsage'>;
  readonly signal?: AbortSignal | undefined;
}

export type CachedResponse =
  | { readonly type: 'json'; readonly body: Buffer }
  | { readonly type: 'stream'; readonly frames: AsyncIterable<string> };

/** `result` is the `x-gatehouse-cache` header value. */
export type CacheDecision =
  | { readonly type: 'reject'; readonly error: GatewayError }
  | { readonly type: 'bypass'; readonly result: 'bypass'; readonly reason: BypassReason }
  | {
      readonly type: 'hit';
      readonly result: 'hit';
      readonly layer: 'l1' | 'l2' | 'semantic';
      /** Cosine similarity of the matched prompt, for a semantic hit. */
      readonly similarity: number | undefined;
      readonly response: CachedResponse;
      /** The usage of the original answer: what this hit saved. */
      readonly usage: Usage | undefined;
      /** Who produced the original answer, to price the saving. */
      readonly answeredBy: { readonly provider: string | undefined; readonly model: string };
    }
  | {
      readonly type: 'record';
      /** `bypass` for `no-cache`: the cache was not read, but the fresh answer is stored. */
      readonly result: 'miss' | 'bypass';
      readonly recorder: AnswerRecorder;
    };

/** Stores the answer that routing produces; nothing it does can fail the request. */
export interface AnswerRecorder {
  json(body: Buffer | string, answeredBy: AnsweredBy): Promise<RecordOutcome>;
  /** Wrap the frames sent to the caller; the answer is stored once the stream completes. */
  stream(
    frames: AsyncIterable<Frame>,
    ending: PromiseLike<StreamEnding>,
    answeredBy: AnsweredBy,
  ): { readonly frames: AsyncIterable<Frame>; readonly recorded: Promise<RecordOutcome> };
}

export interface CachePurgeResult extends PurgeCounts {
  /** Null when there is no semantic index or it could not be reached. */
  readonly semantic: number | null;
}

export interface CacheInspection extends ResponseCacheStatistics {
  readonly semantic: SemanticStatistics | undefined;
}

/** The cache stage: decides, looks up, replays hits, and records misses. */
export interface ResponseCaching {
  begin(request: CacheRequest): Promise<CacheDecision>;
  purge(selector: PurgeSelector): Promise<CachePurgeResult>;
  inspect(): Promise<CacheInspection>;
}

interface SemanticPrompt {
  readonly settings: SemanticSettings;
  readonly text: string;
  readonly partition: string;
}

const defaultChunkCharacters = 20;

export function createResponseCaching(options: ResponseCachingOptions): ResponseCaching {
  const { settings, cache, codecs, semantic } = options;
  const observer = options.observer ?? silentObserver;
  const now = options.now ?? Date.now;
  const chunkCharacters = options.replayChunkCharacters ?? defaultChunkCharacters;

  async function begin(request: CacheRequest): Promise<CacheDecision> {
    const effective = effectiveCacheSettings(settings, request.summary.model);
    const policy = cachePolicy(request, effective);
    if (policy.type === 'reject') return policy;
    if (policy.type === 'bypass') {
      observer.cacheResult('none', 'bypass');
      return { type: 'bypass', result: 'bypass', reason: policy.reason };
    }
    const canonical = canonicalRequest(request.dialect, request.body);
    const key = cacheKeyOf(request.scope, request.dialect, request.summary.model, canonical);
    const prompt =
      semantic === undefined ? undefined : semanticPromptOf(request, canonical, effective.semantic);
    let vector: Float32Array | undefined;
    if (policy.read) {
      const found = await cache.lookup(key);
      const hit = found.type === 'hit' ? replay(request, found.answer, found.layer, undefined) : undefined;
      if (hit !== undefined) return hit;
      if (prompt !== undefined && semantic !== undefined) {
        vector = await semantic.embed(prompt.text, prompt.settings.embeddingModel, request.signal);
        const semanticHit =
          vector === undefined ? undefined : await semanticLookup(request, key, prompt, vector);
        if (semanticHit !== undefined) return semanticHit;
      }
    }
    const ttlSeconds = policy.ttlSeconds;
    return {
      type: 'record',
      result: policy.read ? 'miss' : 'bypass',
      recorder: recorder(request, key, ttlSeconds, policy.write ? prompt : undefined, vector, policy.write),
    };
  }

  async function semanticLookup(
    request: CacheRequest,
    key: CacheKey,
    prompt: SemanticPrompt,
    vector: Float32Array,
  ): Promise<CacheDecision | undefined> {
    if (semantic === undefined) return undefined;
    const match = await semantic.nearest({
      scope: key.scope,
      model: key.model,
      partition: prompt.partition,
      vector,
      threshold: prompt.settings.threshold,
    });
    if (match === undefined) return undefined;
    const found = await cache.lookup(cacheKeyFromHash(key.scope, key.model, match.entryHash));
    if (found.type === 'miss') {
      // The answer expired or was purged before its index entry: forget the entry.
      await semantic.remove(key.scope, key.model, match.entryHash);
      semantic.count('miss');
      return undefined;
    }
    const hit = replay(request, found.answer, 'semantic', match.similarity);
    semantic.count(hit === undefined ? 'miss' : 'hit');
    return hit;
  }

  function replay(
    request: CacheRequest,
    answer: CachedAnswer,
    layer: 'l1' | 'l2' | 'semantic',
    similarity: number | undefined,
  ): CacheDecision | undefined {
    const codec = codecs[request.dialect];
    const requested = request.summary.model;
    const response: ChatResponse =
      answer.response.model === '' ? { ...answer.response, model: requested } : answer.response;
    let rendered: CachedResponse;
    try {
      rendered = request.summary.stream
        ? {
            type: 'stream',
            frames: framesOf(
              replayStream(codec, response, { includeUsage: request.summary.includeUsage, chunkCharacters }),
            ),
          }
        : { type: 'json', body: replayJson(codec, response) };
    } catch {
      // The caller's dialect cannot express this answer; the request goes upstream instead.
      return undefined;
    }
    return {
      type: 'hit',
      result: 'hit',
      layer,
      similarity,
      response: rendered,
      usage: answer.response.usage,
      answeredBy: { provider: answer.provider, model: answer.targetModel ?? response.model },
    };
  }

  function recorder(
    request: CacheRequest,
    key: CacheKey,
    ttlSeconds: number,
    prompt: SemanticPrompt | undefined,
    knownVector: Float32Array | undefined,
    write: boolean,
  ): AnswerRecorder {
    const codec = codecs[request.dialect];
    const store = async (response: ChatResponse, answeredBy: AnsweredBy): Promise<RecordOutcome> => {
      if (!write) return { type: 'skipped', reason: 'ttl_zero' };
      if (!(await cache.store(key, response, answeredBy, ttlSeconds)))
        return { type: 'skipped', reason: 'not_stored' };
      if (prompt !== undefined && semantic !== undefined) {
        const vector = knownVector ?? (await semantic.embed(prompt.text, prompt.settings.embeddingModel));
        if (vector !== undefined) {
          const entry = {
            scope: key.scope,
            model: key.model,
            partition: prompt.partition,
            entryHash: key.hash,
            vector,
            expiresAt: now() + ttlSeconds * 1_000,
          };
          await semantic.add(entry, prompt.settings.maxEntries);
        }
      }
      return { type: 'stored' };
    };
    return {
      json: (body, answeredBy) => recordJsonAnswer(codec, body, (response) => store(response, answeredBy)),
      stream: (frames, ending, answeredBy) =>
        recordStreamAnswer({
          codec,
          frames,
          ending,
          maxCharacters: settings.maxEntryBytes,
          store: (response) => store(response, answeredBy),
        }),
    };
  }

  async function purge(selector: PurgeSelector): Promise<CachePurgeResult> {
    const [counts, semanticCount] = await Promise.all([cache.purge(selector), semantic?.purge(selector)]);
    return { ...counts, semantic: semanticCount ?? null };
  }

  async function inspect(): Promise<CacheInspection> {
    const [statistics, semanticStatistics] = await Promise.all([cache.inspect(), semantic?.statistics()]);
    return { ...statistics, semantic: semanticStatistics };
  }

  return { begin, purge, inspect };
}

function semanticPromptOf(
  request: CacheRequest,
  canonical: Readonly<Record<string, unknown>>,
  settings: SemanticSettings | undefined,
): SemanticPrompt | undefined {
  if (settings === undefined) return undefined;
  const split = splitLastUserText(canonical);
  if (split === undefined) return undefined;
  return {
    settings,
    text: split.text,
    partition: semanticPartition(request.scope, request.dialect, split.rest),
  };
}
