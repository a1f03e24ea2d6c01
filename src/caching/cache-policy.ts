import { GatewayError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { EffectiveCacheSettings } from './cache-settings.js';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export type BypassReason =
  /** Caching is off, for the gateway or for this model. */
  | 'disabled'
  /** `Cache-Control: no-store`. */
  | 'no_store'
  /** `Cache-Control: no-cache` with a TTL of 0: nothing to read, nothing to write. */
  | 'nothing_to_do'
  /** Sampled with `temperature > 0` (or the provider default of 1) and the model does not allow it. */
  | 'temperature'
  /** The answer has parts the cache cannot keep (log probabilities, audio, thinking, server tools). */
  | 'unsupported';

/** What the cache may do for one request. `read: false` is `no-cache`: refresh the entry. */
export type CachePolicy =
  | { readonly type: 'use'; readonly read: boolean; readonly write: boolean; readonly ttlSeconds: number }
  | { readonly type: 'bypass'; readonly reason: BypassReason }
  | { readonly type: 'reject'; readonly error: GatewayError };

export const cacheTtlHeader = 'x-gatehouse-cache-ttl';

/** Both APIs sample at temperature 1 when a request does not say. */
const providerDefaultTemperature = 1;

/**
 * Decides, without I/O, whether a request may be answered from the cache and whether its answer
 * may be stored. A malformed `x-gatehouse-cache-ttl` is refused even when caching is off, so a
 * client learns about it before it reaches a gateway where caching is on.
 */
export function cachePolicy(
  request: {
    readonly dialect: Dialect;
    readonly headers: Headers;
    readonly body: Readonly<Record<string, unknown>>;
  },
  settings: EffectiveCacheSettings,
): CachePolicy {
  const ttl = requestedTtl(request.headers, settings.maxTtlSeconds);
  if (ttl.type === 'reject') return ttl;
  if (!settings.enabled) return { type: 'bypass', reason: 'disabled' };
  const directives = cacheControl(request.headers);
  if (directives.has('no-store')) return { type: 'bypass', reason: 'no_store' };
  if (!representable(request.dialect, request.body)) return { type: 'bypass', reason: 'unsupported' };
  const temperature = request.body.temperature;
  const sampled = typeof temperature === 'number' ? temperature : providerDefaultTemperature;
  if (sampled > 0 && !settings.cacheNonzeroTemperature) return { type: 'bypass', reason: 'temperature' };
  const ttlSeconds = ttl.seconds ?? settings.ttlSeconds;
  const read = !directives.has('no-cache');
  const write = ttlSeconds > 0;
  if (!read && !write) return { type: 'bypass', reason: 'nothing_to_do' };
  return { type: 'use', read, write, ttlSeconds };
}

function requestedTtl(
  headers: Headers,
  maxTtlSeconds: number,
):
  | { readonly type: 'ttl'; readonly seconds: number | undefined }
  | { readonly type: 'reject'; readonly error: GatewayError } {
  const value = headers[cacheTtlHeader];
  if (value === undefined) return { type: 'ttl', seconds: undefined };
  const text = Array.isArray(value) ? undefined : value.trim();
  if (text === undefined || !/^\d{1,10}$/.test(text)) {
    return {
      type: 'reject',
      error: new GatewayError(
        'invalid_request',
        `The ${cacheTtlHeader} header must be one whole number of seconds (0 to ${maxTtlSeconds}); 0 means do not store.`,
        { param: cacheTtlHeader },
      ),
    };
  }
  // Longer than allowed is shortened rather than refused: the cache may always forget sooner.
  return { type: 'ttl', seconds: Math.min(Number(text), maxTtlSeconds) };
}

/** `Cache-Control` directives, lower-cased, arguments dropped (RFC 9111 section 5.2). */
function cacheControl(headers: Headers): ReadonlySet<string> {
  const value = headers['cache-control'];
  if (value === undefined) return new Set();
  const text = Array.isArray(value) ? value.join(',') : value;
  return new Set(
    text
      .split(',')
      .map((directive) => (directive.split('=')[0] ?? '').trim().toLowerCase())
      .filter((directive) => directive !== ''),
  );
}

/**
 * The cache keeps an answer's text, tool calls, finish reasons and usage. Requests whose answers
 * carry more (log probabilities, audio, web-search annotations, thinking blocks, server-tool
 * results) would come back from the cache without it, so they are not cached at all.
 */
function representable(dialect: Dialect, body: Readonly<Record<string, unknown>>): boolean {
  if (dialect === 'openai') {
    if (body.logprobs === true || isSet(body.top_logprobs) || isSet(body.audio)) return false;
    if (isSet(body.web_search_options)) return false;
    return !(Array.isArray(body.modalities) && body.modalities.includes('audio'));
  }
  const thinking = body.thinking;
  if (
    typeof thinking === 'object' &&
    thinking !== null &&
    (thinking as { type?: unknown }).type !== 'disabled'
  ) {
    return false;
  }
  if (isSet(body.mcp_servers) || isSet(body.container)) return false;
  const tools = Array.isArray(body.tools) ? (body.tools as readonly unknown[]) : [];
  return tools.every((tool) => {
    const type = typeof tool === 'object' && tool !== null ? (tool as { type?: unknown }).type : undefined;
    return type === undefined || type === null || type === 'custom';
  });
}

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}
