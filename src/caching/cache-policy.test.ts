import { describe, expect, it } from 'vitest';
import { cachePolicy } from './cache-policy.js';
import {
  cacheSettingsFrom,
  defaultCacheSettings,
  effectiveCacheSettings,
  type CacheSettings,
} from './cache-settings.js';
import type { Dialect } from '../llm/index.js';

const settings: CacheSettings = {
  ...defaultCacheSettings,
  models: {
    'warm-model': { cacheNonzeroTemperature: true, ttlSeconds: 120 },
    'off-model': { enabled: false },
  },
};

function policy(
  headers: Record<string, string | string[]>,
  body: Record<string, unknown> = {},
  model = 'gpt-4o',
  dialect: Dialect = 'openai',
  from: CacheSettings = settings,
) {
  return cachePolicy(
    { dialect, headers, body: { model, temperature: 0, messages: [], ...body } },
    effectiveCacheSettings(from, model),
  );
}

describe('cache policy', () => {
  it('reads and writes with the default TTL', () => {
    expect(policy({})).toEqual({ type: 'use', read: true, write: true, ttlSeconds: 3_600 });
  });

  it('skips the lookup but stores the fresh answer on Cache-Control: no-cache', () => {
    expect(policy({ 'cache-control': 'No-Cache' })).toEqual({
      type: 'use',
      read: false,
      write: true,
      ttlSeconds: 3_600,
    });
  });

  it('neither reads nor writes on Cache-Control: no-store, among other directives', () => {
    expect(policy({ 'cache-control': 'max-age=0, no-store' })).toEqual({
      type: 'bypass',
      reason: 'no_store',
    });
    expect(policy({ 'cache-control': ['private', 'no-store'] })).toEqual({
      type: 'bypass',
      reason: 'no_store',
    });
  });

  it('takes the TTL from x-gatehouse-cache-ttl, bounded by the maximum', () => {
    expect(policy({ 'x-gatehouse-cache-ttl': '60' })).toMatchObject({ type: 'use', ttlSeconds: 60 });
    expect(policy({ 'x-gatehouse-cache-ttl': '99999999' })).toMatchObject({
      ttlSeconds: settings.maxTtlSeconds,
    });
    expect(policy({ 'x-gatehouse-cache-ttl': '0' })).toMatchObject({ type: 'use', read: true, write: false });
    expect(policy({ 'x-gatehouse-cache-ttl': '0', 'cache-control': 'no-cache' })).toEqual({
      type: 'bypass',
      reason: 'nothing_to_do',
    });
  });

  it.each(['-1', '1.5', 'soon', '', '12345678901'])('refuses a malformed TTL header: %j', (value) => {
    const result = policy({ 'x-gatehouse-cache-ttl': value });
    expect(result.type).toBe('reject');
    if (result.type === 'reject') {
      expect(result.error.status).toBe(400);
      expect(result.error.param).toBe('x-gatehouse-cache-ttl');
    }
  });

  it('refuses a TTL header sent twice', () => {
    expect(policy({ 'x-gatehouse-cache-ttl': ['1', '2'] }).type).toBe('reject');
  });

  it('does not cache sampled answers unless the model allows it', () => {
    expect(policy({}, { temperature: 0.7 })).toEqual({ type: 'bypass', reason: 'temperature' });
    expect(policy({}, { temperature: undefined })).toEqual({ type: 'bypass', reason: 'temperature' });
    expect(policy({}, { temperature: 0.7 }, 'warm-model')).toEqual({
      type: 'use',
      read: true,
      write: true,
      ttlSeconds: 120,
    });
  });

  it('bypasses a disabled model and a disabled cache', () => {
    expect(policy({}, {}, 'off-model')).toEqual({ type: 'bypass', reason: 'disabled' });
    expect(policy({}, {}, 'gpt-4o', 'openai', { ...settings, enabled: false })).toEqual({
      type: 'bypass',
      reason: 'disabled',
    });
  });

  it.each([
    ['openai', { logprobs: true }],
    ['openai', { modalities: ['text', 'audio'] }],
    ['openai', { web_search_options: {} }],
    ['anthropic', { thinking: { type: 'enabled', budget_tokens: 1024 } }],
    ['anthropic', { tools: [{ type: 'web_search_20250305', name: 'web_search' }] }],
  ] as const)('bypasses %s answers the cache cannot keep whole: %j', (dialect, body) => {
    expect(policy({}, body, 'gpt-4o', dialect)).toEqual({ type: 'bypass', reason: 'unsupported' });
  });

  it('caches Anthropic requests with custom tools and thinking disabled', () => {
    expect(
      policy(
        {},
        { thinking: { type: 'disabled' }, tools: [{ name: 't', input_schema: {} }] },
        'c',
        'anthropic',
      ).type,
    ).toBe('use');
  });
});

describe('cache settings from the configuration', () => {
  const section = {
    enabled: true,
    l1_size: 10,
    l1_max_bytes: 1_000,
    l1_ttl_seconds: 30,
    l2_ttl_seconds: 600,
    max_ttl_seconds: 3_600,
    max_entry_bytes: 500,
    cache_nonzero_temperature: false,
    models: {
      'gpt-4o': {
        ttl_seconds: 7_200,
        semantic: {
          enabled: true,
          embedding_model: 'text-embedding-3-small',
          threshold: 0.9,
          max_entries: 50,
        },
      },
    },
  };

  it('turns L2 on when Redis is configured, unless told otherwise', () => {
    expect(cacheSettingsFrom(section, true).l2Enabled).toBe(true);
    expect(cacheSettingsFrom(section, false).l2Enabled).toBe(false);
    expect(cacheSettingsFrom({ ...section, l2_enabled: false }, true).l2Enabled).toBe(false);
  });

  it('bounds a model’s TTL by the maximum and carries its semantic settings', () => {
    const effective = effectiveCacheSettings(cacheSettingsFrom(section, true), 'gpt-4o');
    expect(effective.ttlSeconds).toBe(3_600);
    expect(effective.semantic).toEqual({
      enabled: true,
      embeddingModel: 'text-embedding-3-small',
      threshold: 0.9,
      maxEntries: 50,
    });
    expect(effectiveCacheSettings(cacheSettingsFrom(section, true), 'other').ttlSeconds).toBe(600);
  });
});
