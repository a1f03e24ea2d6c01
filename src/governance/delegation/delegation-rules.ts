import type { Grant } from './grant.js';

/**
 * The rules Lelu documents and never enforced, as pure functions: a chain is at most `maxDepth`
 * grants long; a grant lives no longer than its parent, nor past its swarm's end (the root's
 * creation plus the swarm operation timeout), nor longer than it asked for.
 */

export interface Lifetime {
  readonly expiresAt: number;
  readonly swarmExpiresAt: number;
  /** What the policy sees: the lifetime after every cap, in whole seconds, rounded up. */
  readonly ttlSeconds: number;
}

export function grantLifetime(input: {
  readonly now: number;
  readonly ttlSeconds: number | undefined;
  readonly parent: Grant | undefined;
  readonly swarmTimeoutMs: number;
}): Lifetime {
  const { now, parent } = input;
  const swarmExpiresAt = parent?.swarmExpiresAt ?? now + input.swarmTimeoutMs;
  const cap = Math.min(parent?.expiresAt ?? Number.POSITIVE_INFINITY, swarmExpiresAt);
  const expiresAt = input.ttlSeconds === undefined ? cap : Math.min(now + input.ttlSeconds * 1000, cap);
  return { expiresAt, swarmExpiresAt, ttlSeconds: Math.max(0, Math.ceil((expiresAt - now) / 1000)) };
}

export function depthRefusal(parent: Grant | undefined, maxDepth: number): string | undefined {
  const depth = (parent?.depth ?? 0) + 1;
  if (depth <= maxDepth) return undefined;
  return `the delegation would be grant ${depth} of its chain, and a chain holds at most ${maxDepth} (max_delegation_depth)`;
}

export function confidenceRefusal(confidence: number | undefined, floor: number): string | undefined {
  if (floor <= 0) return undefined;
  if (confidence === undefined)
    return `a delegation needs a confidence of at least ${floor} (confidence_floor); none was sent`;
  return confidence < floor
    ? `confidence ${confidence} is below the delegation floor ${floor} (confidence_floor)`
    : undefined;
}

const traceparentPattern = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** A W3C `traceparent` (version 00) as sent, or undefined when absent or malformed. */
export function validTraceparent(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const trimmed = value?.trim().toLowerCase();
  return trimmed !== undefined && traceparentPattern.test(trimmed) ? trimmed : undefined;
}
