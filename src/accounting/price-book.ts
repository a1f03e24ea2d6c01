import type { Usage } from '../llm/index.js';
import { priceTable, type TablePrice } from './price-table.js';

/** USD per 1M tokens for one provider and model, and where the figures came from. */
export interface Price extends TablePrice {
  readonly source: 'override' | 'table' | 'free';
  /** The override or table key that matched (`mock` for the mock provider). */
  readonly matched: string;
}

/** One entry of the configuration's `pricing` section (USD per 1M tokens). */
export interface PriceOverride {
  readonly input: number;
  readonly output: number;
  readonly cached_input?: number | undefined;
}

/** The configuration's `pricing` section, keyed `provider/model` or `model`. */
export type PriceOverrides = Readonly<Record<string, PriceOverride>>;

/** A configured provider: its name (`azure-eu`) and its type (`azure`). */
export interface ProviderIdentity {
  readonly name: string;
  readonly type: string;
}

export interface PriceBook {
  /**
   * The price of a model at a provider, or undefined when neither the overrides nor the shipped
   * table know it (the caller decides what an unpriced request costs; the gateway records 0 and
   * warns). `provider` is a configured provider (name and type) or just a name or type.
   */
  priceOf(provider: ProviderIdentity | string | undefined, model: string): Price | undefined;
}

interface Candidate<T> {
  readonly key: string;
  readonly value: T;
  readonly exact: boolean;
  /** Characters of the model name the key covers: a longer match is a more specific one. */
  readonly length: number;
}

/** Characters after which a dated snapshot or alias suffix may start. */
const boundaries = new Set(['-', '@', ':']);

/** The exact key `qualifier + model`, else the longest `qualifier + prefix` ending at a boundary. */
function lookup<T>(
  table: ReadonlyMap<string, T>,
  qualifier: string,
  model: string,
): Candidate<T> | undefined {
  const exact = table.get(qualifier + model);
  if (exact !== undefined) return { key: qualifier + model, value: exact, exact: true, length: model.length };
  for (let end = model.length - 1; end > 0; end -= 1) {
    if (!boundaries.has(model.charAt(end))) continue;
    const key = qualifier + model.slice(0, end);
    const value = table.get(key);
    if (value !== undefined) return { key, value, exact: false, length: end };
  }
  return undefined;
}

/** Exact beats prefix, a longer prefix beats a shorter one; on a tie the earlier candidate wins. */
function best<T>(candidates: readonly (Candidate<T> | undefined)[]): Candidate<T> | undefined {
  let chosen: Candidate<T> | undefined;
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    if (
      chosen === undefined ||
      (candidate.exact && !chosen.exact) ||
      (candidate.exact === chosen.exact && candidate.length > chosen.length)
    ) {
      chosen = candidate;
    }
  }
  return chosen;
}

const free: Price = { input: 0, output: 0, cachedInput: 0, cacheWrite: 0, source: 'free', matched: 'mock' };

/**
 * Prices from the configuration's overrides and the shipped table. Names match case-insensitively:
 * exactly, then by the longest known prefix (`gpt-4o-2024-08-06` → `gpt-4o`), and a name routed
 * through an aggregator (`openai/gpt-4o`) by its last segment. An override wins over the table
 * when it matches at least as specifically; the mock provider costs nothing unless overridden.
 */
export function createPriceBook(overrides: PriceOverrides = {}): PriceBook {
  const overrideTable = new Map<string, PriceOverride>();
  for (const [key, value] of Object.entries(overrides)) overrideTable.set(key.toLowerCase(), value);
  const shipped = new Map<string, TablePrice>(Object.entries(priceTable));

  function fromOverride(candidate: Candidate<PriceOverride>, model: string): Price {
    const { input, output } = candidate.value;
    // The override has no cache-write rate: keep the table's ratio for the model (1.25× for Claude).
    const listed = lookup(shipped, '', model)?.value;
    const writeRatio = listed !== undefined && listed.input > 0 ? listed.cacheWrite / listed.input : 1;
    return {
      input,
      output,
      cachedInput: candidate.value.cached_input ?? input,
      cacheWrite: input * writeRatio,
      source: 'override',
      matched: candidate.key,
    };
  }

  function resolve(qualifiers: readonly string[], model: string, isMock: boolean): Price | undefined {
    const override = best(qualifiers.map((qualifier) => lookup(overrideTable, qualifier, model)));
    const listed = lookup(shipped, '', model);
    const chosen = best<PriceOverride | TablePrice>([override, listed]);
    if (chosen !== undefined && chosen === override) return fromOverride(override, model);
    if (isMock) return free;
    if (listed === undefined) return undefined;
    return { ...listed.value, source: 'table', matched: listed.key };
  }

  /**
   * Prices already resolved, by provider name, type and model: every request asks twice (its
   * budget estimate and its cost) for one of a few configured models, and a resolution tries
   * several qualifiers and prefixes. Prices do not change while the process runs.
   */
  const resolved = new Map<string, Price | undefined>();

  return {
    priceOf(provider, model) {
      const identity = typeof provider === 'string' ? { name: provider, type: provider } : provider;
      const key = `${identity?.name ?? ''}\u0000${identity?.type ?? ''}\u0000${model}`;
      if (resolved.has(key)) return resolved.get(key);
      const price = resolvePrice(identity, model);
      if (resolved.size >= rememberedPrices) resolved.clear();
      resolved.set(key, price);
      return price;
    },
  };

  function resolvePrice(identity: ProviderIdentity | undefined, model: string): Price | undefined {
    const name = identity?.name.toLowerCase();
    const type = identity?.type.toLowerCase();
    const qualifiers = [
      ...(name === undefined ? [] : [`${name}/`]),
      ...(type === undefined || type === name ? [] : [`${type}/`]),
      '',
    ];
    const normalized = model.toLowerCase();
    // The built-in mock serves any name containing `mock`; no real model's name contains it.
    const isMock = type === 'mock' || name === 'mock' || normalized.includes('mock');
    const price = resolve(qualifiers, normalized, isMock);
    if (price !== undefined) return price;
    const lastSegment = normalized.slice(normalized.lastIndexOf('/') + 1);
    return lastSegment !== normalized && lastSegment !== ''
      ? resolve(qualifiers, lastSegment, isMock)
      : undefined;
  }
}

/** Resolved prices remembered at most (model names are configured ones, but bounded all the same). */
const rememberedPrices = 1_000;

/**
 * The cost in USD of one request's usage. `usage.inputTokens` includes cached and cache-creation
 * tokens (the canonical convention), so each part is priced once: uncached input at the input
 * rate, cache reads at the cached rate, cache writes at the cache-write rate.
 */
export function costOf(usage: Usage, price: Price): number {
  const cached = Math.max(0, usage.cachedInputTokens);
  const written = Math.max(0, usage.cacheCreationInputTokens);
  const uncached = Math.max(0, usage.inputTokens - cached - written);
  const output = Math.max(0, usage.outputTokens);
  return (
    (uncached * price.input +
      cached * price.cachedInput +
      written * price.cacheWrite +
      output * price.output) /
    1_000_000
  );
}

/**
 * The most a request can cost before it runs, for budget checks: every prompt token at the dearest
 * input rate (a cache write can cost more than a plain input token) and the largest answer allowed.
 */
export function estimateCostUpperBound(price: Price, promptTokens: number, maxOutputTokens: number): number {
  const inputRate = Math.max(price.input, price.cacheWrite);
  return (Math.max(0, promptTokens) * inputRate + Math.max(0, maxOutputTokens) * price.output) / 1_000_000;
}
