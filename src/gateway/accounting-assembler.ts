import {
  createCostCalculator,
  createPriceBook,
  createTokenCounter,
  createUsageWriter,
  usageWriterSettingsFrom,
  type UsageRecordIdGenerator,
  type UsageStore,
  type UsageWriter,
} from '../accounting/index.js';
import type { Config } from '../config/index.js';
import type { createPipeline } from '../pipeline/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import type { Logger } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface AccountingNeeds {
  readonly config: Config;
  readonly usage: UsageStore;
  readonly providers: ReadonlyMap<string, ProviderAdapter>;
  readonly logger: Logger;
  readonly newRecordId: UsageRecordIdGenerator;
}

export interface AccountingParts {
  readonly usageWriter: UsageWriter;
  /** What the pipeline's account stage needs. */
  readonly accounting: Parameters<typeof createPipeline>[0]['accounting'];
}

/** Prices, the token counter and the usage writer (batched, spooled to disk while the database is away). */
export function assembleAccounting(needs: AccountingNeeds): Contribution<AccountingParts> {
  const { logger, providers } = needs;
  const usageWriter = createUsageWriter({
    ...usageWriterSettingsFrom(needs.config),
    store: needs.usage,
    logger,
  });
  const accounting = {
    costs: createCostCalculator(createPriceBook(needs.config.pricing), logger),
    usage: usageWriter,
    tokens: createTokenCounter(),
    providerType: (name: string) => providers.get(name)?.type,
    newRecordId: needs.newRecordId,
  };
  return { parts: { usageWriter, accounting }, close: () => usageWriter.close() };
}
