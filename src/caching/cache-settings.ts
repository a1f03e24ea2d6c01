/** Response cache settings, as the gateway's configuration gives them (see `cacheSettingsFrom`). */
export interface CacheSettings {
  readonly enabled: boolean;
  /** L1: entries kept in process, least recently used evicted first. */
  readonly l1Size: number;
  /** L1 also stops at this many bytes of serialised answers. */
  readonly l1MaxBytes: number;
  /** The longest an entry stays in L1, whatever its own TTL. */
  readonly l1TtlSeconds: number;
  readonly l2Enabled: boolean;
  /** An entry's lifetime when neither its model nor the request sets one. */
  readonly l2TtlSeconds: number;
  /** Upper bound of any TTL, `x-gatehouse-cache-ttl` included. */
  readonly maxTtlSeconds: number;
  /** Answers larger than this (serialised) are not cached. */
  readonly maxEntryBytes: number;
  /** Default for models that do not say: cache answers sampled with `temperature > 0`. */
  readonly cacheNonzeroTemperature: boolean;
  readonly models: Readonly<Record<string, ModelCacheSettings>>;
}

export interface ModelCacheSettings {
  readonly enabled?: boolean | undefined;
  readonly ttlSeconds?: number | undefined;
  readonly cacheNonzeroTemperature?: boolean | undefined;
  readonly semantic?: SemanticSettings | undefined;
}

export interface SemanticSettings {
  readonly enabled: boolean;
  /** The model the prompt is embedded with (routed like any embeddings request). */
  readonly embeddingModel: string;
  /** Cosine similarity at or above which a cached answer is served, in (0, 1]. */
  readonly threshold: number;
  /** Prompts indexed per scope and model; the least recently used is dropped beyond it. */
  readonly maxEntries: number;
}

/** What applies to one request's model. */
export interface EffectiveCacheSettings {
  readonly enabled: boolean;
  readonly ttlSeconds: number;
  readonly maxTtlSeconds: number;
  readonly cacheNonzeroTemperature: boolean;
  /** Present only when the semantic cache is on for this model. */
  readonly semantic: SemanticSettings | undefined;
}

export const defaultCacheSettings: CacheSettings = Object.freeze({
  enabled: true,
  l1Size: 1_000,
  l1MaxBytes: 64 * 1024 * 1024,
  l1TtlSeconds: 300,
  l2Enabled: true,
  l2TtlSeconds: 3_600,
  maxTtlSeconds: 7 * 24 * 3_600,
  maxEntryBytes: 1024 * 1024,
  cacheNonzeroTemperature: false,
  models: {},
});

export function effectiveCacheSettings(settings: CacheSettings, model: string): EffectiveCacheSettings {
  const own = Object.hasOwn(settings.models, model) ? settings.models[model] : undefined;
  const semantic = own?.semantic;
  return {
    enabled: settings.enabled && (own?.enabled ?? true),
    ttlSeconds: Math.min(own?.ttlSeconds ?? settings.l2TtlSeconds, settings.maxTtlSeconds),
    maxTtlSeconds: settings.maxTtlSeconds,
    cacheNonzeroTemperature: own?.cacheNonzeroTemperature ?? settings.cacheNonzeroTemperature,
    semantic: semantic?.enabled === true ? semantic : undefined,
  };
}

/** The `cache` section of the configuration file, as its schema outputs it (snake_case). */
export interface CacheConfigSection {
  readonly enabled: boolean;
  readonly l1_size: number;
  readonly l1_max_bytes: number;
  readonly l1_ttl_seconds: number;
  /** Unset: on when Redis is configured. */
  readonly l2_enabled?: boolean | undefined;
  readonly l2_ttl_seconds: number;
  readonly max_ttl_seconds: number;
  readonly max_entry_bytes: number;
  readonly cache_nonzero_temperature: boolean;
  readonly models: Readonly<
    Record<
      string,
      {
        readonly enabled?: boolean | undefined;
        readonly ttl_seconds?: number | undefined;
        readonly cache_nonzero_temperature?: boolean | undefined;
        readonly semantic?:
          | {
              readonly enabled: boolean;
              readonly embedding_model: string;
              readonly threshold: number;
              readonly max_entries: number;
            }
          | undefined;
      }
    >
  >;
}

/** `redisConfigured`: whether `redis_url` is set, which turns L2 on unless the section says otherwise. */
export function cacheSettingsFrom(section: CacheConfigSection, redisConfigured: boolean): CacheSettings {
  const models: Record<string, ModelCacheSettings> = {};
  for (const [name, model] of Object.entries(section.models)) {
    models[name] = {
      enabled: model.enabled,
      ttlSeconds: model.ttl_seconds,
      cacheNonzeroTemperature: model.cache_nonzero_temperature,
      semantic:
        model.semantic === undefined
          ? undefined
          : {
              enabled: model.semantic.enabled,
              embeddingModel: model.semantic.embedding_model,
              threshold: model.semantic.threshold,
              maxEntries: model.semantic.max_entries,
            },
    };
  }
  return Object.freeze({
    enabled: section.enabled,
    l1Size: section.l1_size,
    l1MaxBytes: section.l1_max_bytes,
    l1TtlSeconds: section.l1_ttl_seconds,
    l2Enabled: (section.l2_enabled ?? redisConfigured) && redisConfigured,
    l2TtlSeconds: section.l2_ttl_seconds,
    maxTtlSeconds: section.max_ttl_seconds,
    maxEntryBytes: section.max_entry_bytes,
    cacheNonzeroTemperature: section.cache_nonzero_temperature,
    models,
  });
}
