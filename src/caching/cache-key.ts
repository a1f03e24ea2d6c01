import { hash } from 'node:crypto';
import type { Dialect } from '../llm/index.js';
import { canonicalJson } from './canonical-json.js';

/** Raised when the canonical form or the stored entry changes, so old entries are never read. */
const keyVersion = 1;

/**
 * Where a cached answer lives. The scope (the caller's tenant) is hashed into `hash`, so no two
 * tenants can share an entry; the short scope and model tags in `id` let a purge find every entry
 * of one scope or one model without reading them.
 */
export interface CacheKey {
  /** `team:<name>` or `key:<id>`: whose answers these are. */
  readonly scope: string;
  /** The model name the caller asked for. */
  readonly model: string;
  readonly scopeTag: string;
  readonly modelTag: string;
  /** sha256 hex of the version, scope, dialect and canonical request. */
  readonly hash: string;
  /** `<scopeTag>:<modelTag>:<hash>`: the entry's name in every store. */
  readonly id: string;
}

/**
 * Whose answers a caller may see: its team's when its key belongs to one (members of a team share
 * prompts and answers), otherwise its key's own.
 */
export function cacheScope(principal: {
  readonly keyId: string;
  readonly team?: string | undefined;
}): string {
  return principal.team === undefined || principal.team === ''
    ? `key:${principal.keyId}`
    : `team:${principal.team}`;
}

export function cacheKeyOf(
  scope: string,
  dialect: Dialect,
  model: string,
  canonical: Readonly<Record<string, unknown>>,
): CacheKey {
  return cacheKeyFromHash(scope, model, sha256(canonicalJson([keyVersion, scope, dialect, canonical])));
}

/** The key of an entry whose hash is known (a semantic match names its entry by hash). */
export function cacheKeyFromHash(scope: string, model: string, entryHash: string): CacheKey {
  const scopeTag = cacheTag(scope);
  const modelTag = cacheTag(model);
  return { scope, model, scopeTag, modelTag, hash: entryHash, id: `${scopeTag}:${modelTag}:${entryHash}` };
}

/**
 * 64 bits of sha256: enough to tell scopes and models apart in a purge (a collision would only
 * purge more than asked), and keeps store keys free of whatever characters names contain.
 */
export function cacheTag(name: string): string {
  return sha256(name).slice(0, 16);
}

/** Identifies the request minus its last user message, for the semantic cache. */
export function semanticPartition(
  scope: string,
  dialect: Dialect,
  rest: Readonly<Record<string, unknown>>,
): string {
  return sha256(canonicalJson([keyVersion, 'semantic', scope, dialect, rest]));
}

function sha256(text: string): string {
  return hash('sha256', text, 'hex');
}
