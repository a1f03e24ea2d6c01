import {
  createDurableWriter,
  type DurableWriter,
  type DurableWriterLogger,
  type DurableWriterOptions,
  type DurableWriterStats,
} from '../durable/index.js';
import type { UsageRecord, UsageStore } from './types.js';
import { usageLineCodec } from './usage-record-lines.js';

export type { Timers } from '../durable/index.js';

export type UsageWriterLogger = DurableWriterLogger;
export type UsageWriterStats = DurableWriterStats;
export type UsageWriter = DurableWriter<UsageRecord>;

export interface UsageWriterOptions extends Omit<
  DurableWriterOptions<UsageRecord>,
  'sink' | 'codec' | 'label' | 'identify'
> {
  readonly store: UsageStore;
}

/**
 * The usage writer: the durable writer (src/durable/) with usage rows as its sink. Inserts are
 * idempotent by record id, so a batch written twice (a lost commit acknowledgement, a journal
 * replayed after a crash) is stored once; records without an id (from an older spool file) are
 * told apart by their `requestId`.
 */
export function createUsageWriter(options: UsageWriterOptions): UsageWriter {
  const { store, ...settings } = options;
  return createDurableWriter<UsageRecord>({
    ...settings,
    sink: store,
    codec: usageLineCodec,
    label: 'usage',
    identify: (record) => ({ request_id: record.requestId }),
  });
}
