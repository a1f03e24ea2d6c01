export { pricesAsOf, priceTable, type TablePrice } from './price-table.js';
export {
  costOf,
  createPriceBook,
  estimateCostUpperBound,
  type Price,
  type PriceBook,
  type PriceOverride,
  type PriceOverrides,
  type ProviderIdentity,
} from './price-book.js';
export {
  createRecordIdGenerator as createUsageRecordIdGenerator,
  type RecordIdGenerator as UsageRecordIdGenerator,
} from '../durable/index.js';
export { createCostCalculator, type CostCalculator } from './cost-calculator.js';
export {
  createTokenCounter,
  defaultMaxOutputTokens,
  encodingOf,
  estimatePromptTokensFast,
  type EncodingName,
  type TokenCounter,
} from './token-counter.js';
export {
  createUsageWriter,
  type Timers,
  type UsageWriter,
  type UsageWriterLogger,
  type UsageWriterOptions,
  type UsageWriterStats,
} from './usage-writer.js';
export {
  usageWriterSettingsFrom,
  type UsageConfiguration,
  type UsageWriterSettings,
} from './usage-writer-settings.js';
export type { UsageQuery, UsageRecord, UsageStore, UsageSummaryRow } from './types.js';
