import type { UsageQuery, UsageRecord, UsageStore, UsageSummaryRow } from '../../accounting/types.js';

/**
 * `available` answers; `failing` throws like a database that cannot be reached; `hanging` holds
 * every call until the mode changes (then it answers or throws by the new mode), like a
 * connection that stopped responding.
 */
export type MemoryUsageStoreMode = 'available' | 'failing' | 'hanging';

export interface MemoryUsageStore extends UsageStore {
  setMode(mode: MemoryUsageStoreMode): void;
  /** Every committed record, in commit order (duplicates included, so tests can find them). */
  records(): readonly UsageRecord[];
  /** Calls to `insertBatch`, successful or not, and the size of each. */
  insertCalls(): readonly number[];
}

type Dimension = UsageQuery['groupBy'][number];

function dayOf(timestamp: number): string {
  return new Date(timestamp).toISOString().slice(0, 10);
}

function valueOf(record: UsageRecord, dimension: Dimension): string | undefined {
  switch (dimension) {
    case 'key':
      return record.keyId;
    case 'model':
      return record.model;
    case 'provider':
      return record.provider;
    case 'team':
      return record.team;
    case 'day':
      return dayOf(record.timestamp);
    default: {
      const unknown: never = dimension;
      throw new Error(`unknown dimension ${String(unknown)}`);
    }
  }
}

function matches(record: UsageRecord, query: UsageQuery): boolean {
  return (
    record.timestamp >= query.from &&
    record.timestamp < query.to &&
    (query.keyId === undefined || record.keyId === query.keyId) &&
    (query.team === undefined || record.team === query.team) &&
    (query.model === undefined || record.model === query.model) &&
    (query.provider === undefined || record.provider === query.provider)
  );
}

interface Totals {
  requests: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  costUsd: number;
  savedCostUsd: number;
}

/** An in-process UsageStore for tests and for running without a database. */
export function createMemoryUsageStore(initialMode: MemoryUsageStoreMode = 'available'): MemoryUsageStore {
  let mode = initialMode;
  const committed: UsageRecord[] = [];
  const calls: number[] = [];
  let waiters: (() => void)[] = [];

  async function gate(): Promise<void> {
    while (mode === 'hanging') await new Promise<void>((resolve) => waiters.push(resolve));
    if (mode === 'failing') throw new Error('usage database unavailable');
  }

  return {
    setMode(next) {
      mode = next;
      const released = waiters;
      waiters = [];
      for (const resolve of released) resolve();
    },
    records: () => committed,
    insertCalls: () => calls,

    async insertBatch(records) {
      calls.push(records.length);
      await gate();
      // As the SQL store: a record whose id is already stored is not stored again.
      const stored = new Set(
        committed.flatMap((record) => (record.recordId === undefined ? [] : [record.recordId])),
      );
      committed.push(
        ...records.filter((record) => record.recordId === undefined || !stored.has(record.recordId)),
      );
    },

    async summarize(query) {
      await gate();
      const groups = new Map<string, { fields: Partial<Record<Dimension, string>>; totals: Totals }>();
      for (const record of committed) {
        if (!matches(record, query)) continue;
        const values = query.groupBy.map((dimension) => valueOf(record, dimension));
        const groupKey = JSON.stringify(values);
        let group = groups.get(groupKey);
        if (group === undefined) {
          const fields: Partial<Record<Dimension, string>> = {};
          query.groupBy.forEach((dimension, index) => {
            const value = values[index];
            if (value !== undefined) fields[dimension] = value;
          });
          group = {
            fields,
            totals: {
              requests: 0,
              inputTokens: 0,
              outputTokens: 0,
              cachedInputTokens: 0,
              costUsd: 0,
              savedCostUsd: 0,
            },
          };
          groups.set(groupKey, group);
        }
        const totals = group.totals;
        totals.requests += 1;
        totals.inputTokens += record.inputTokens;
        totals.outputTokens += record.outputTokens;
        totals.cachedInputTokens += record.cachedInputTokens;
        totals.costUsd += record.costUsd;
        totals.savedCostUsd += record.savedCostUsd;
      }
      const rows: UsageSummaryRow[] = [...groups.values()].map(({ fields, totals }) => ({
        ...fields,
        ...totals,
      }));
      const order = (row: UsageSummaryRow) =>
        query.groupBy.map((dimension) => row[dimension] ?? '').join('\u0000');
      return rows.sort((left, right) =>
        order(left) < order(right) ? -1 : order(left) > order(right) ? 1 : 0,
      );
    },

    async spentSince(scope, since) {
      await gate();
      let total = 0;
      for (const record of committed) {
        if (record.timestamp < since) continue;
        if (scope.keyId !== undefined && record.keyId !== scope.keyId) continue;
        if (scope.team !== undefined && record.team !== scope.team) continue;
        total += record.costUsd;
      }
      return total;
    },
  };
}
