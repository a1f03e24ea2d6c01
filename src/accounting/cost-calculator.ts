import type { Usage } from '../llm/index.js';
import { costOf, estimateCostUpperBound, type PriceBook, type ProviderIdentity } from './price-book.js';
import type { UsageWriterLogger } from './usage-writer.js';

export interface CostCalculator {
  /** USD for a request's usage; 0 when the model has no price (logged once per provider and model). */
  costOf(provider: ProviderIdentity | string | undefined, model: string, usage: Usage): number;
  /** The most a request may cost before it runs (budgets); 0 when the model has no price. */
  upperBound(
    provider: ProviderIdentity | string | undefined,
    model: string,
    promptTokens: number,
    maxOutputTokens: number,
  ): number;
}

/** Distinct unpriced models remembered for the once-only warning; a bound, since names come from callers. */
const rememberedUnpriced = 1_000;

/**
 * Costs for the request path. An unpriced model is recorded at 0 rather than refused: its tokens
 * are still recorded, and the warning tells the operator which `pricing` override to add.
 */
export function createCostCalculator(
  priceBook: PriceBook,
  logger: Pick<UsageWriterLogger, 'warn'>,
): CostCalculator {
  const warned = new Set<string>();

  function priceOf(provider: ProviderIdentity | string | undefined, model: string) {
    const price = priceBook.priceOf(provider, model);
    if (price === undefined) {
      const name = typeof provider === 'string' ? provider : provider?.name;
      const key = `${name ?? ''}/${model}`;
      if (!warned.has(key) && warned.size < rememberedUnpriced) {
        warned.add(key);
        logger.warn(
          { provider: name, model },
          'no price for this model; its cost is recorded as 0 (add a pricing override)',
        );
      }
    }
    return price;
  }

  return {
    costOf(provider, model, usage) {
      const price = priceOf(provider, model);
      return price === undefined ? 0 : costOf(usage, price);
    },
    upperBound(provider, model, promptTokens, maxOutputTokens) {
      const price = priceOf(provider, model);
      return price === undefined ? 0 : estimateCostUpperBound(price, promptTokens, maxOutputTokens);
    },
  };
}
