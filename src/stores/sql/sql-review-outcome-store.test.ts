import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReviewItem } from '../../governance/review/index.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

/**
 * What the models read, on SQLite and Postgres: reviews people resolved within the window, the
 * most recent `limit`, oldest first; never pending items, expiries or automatic resolutions.
 */

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

let counter = 0;
function item(overrides: Partial<ReviewItem>): ReviewItem {
  counter += 1;
  return {
    id: `rev_${String(counter).padStart(4, '0')}`,
    tenantId: 'acme',
    policyIds: [],
    actor: 'pay-bot',
    action: 'wire_money',
    resource: { account: 'acc-1' },
    confidenceScore: 0.8,
    reason: 'confidence 0.8 is below the allow gate 0.9: human review required',
    actingFor: undefined,
    traceId: `trace-${counter}`,
    riskScore: 0.1,
    policyDigest: 'd'.repeat(64),
    inputHash: 'e'.repeat(64),
    argsHash: undefined,
    enqueuedAt: 1_000,
    expiresAt: 1_000_000_000,
    status: 'approved',
    resolvedAt: 2_000,
    resolvedBy: 'ada',
    resolutionNote: undefined,
    resolverKeyId: 'key_reviewer',
    ...overrides,
  };
}

describe.each(databases.map((database) => [database.dialect, database] as const))(
  'the reviews models learn from, on %s',
  (_dialect, database) => {
    let stores: SqlStores;
    beforeEach(async () => {
      stores = await createSqlStores(await database.isolated());
    });
    afterEach(() => stores.close());

    it('are those people resolved in the window, oldest first, the most recent when limited', async () => {
      const kept = [
        item({ resolvedAt: 5_000, status: 'denied', resolverKeyId: 'master' }),
        item({ resolvedAt: 3_000 }),
        item({ resolvedAt: 4_000, resolverKeyId: 'cli', resolvedBy: 'cli' }),
      ];
      const others = [
        item({ resolvedAt: 1_000 }),
        item({ status: 'pending', resolvedAt: undefined, resolvedBy: undefined, resolverKeyId: undefined }),
        item({ status: 'denied', resolvedAt: 3_500, resolvedBy: 'expired', resolverKeyId: undefined }),
        item({ resolvedAt: 3_600, resolvedBy: 'gatehouse:prediction', resolverKeyId: 'prediction' }),
      ];
      for (const each of [...kept, ...others]) await stores.reviews.insert(each);

      const found = await stores.reviewOutcomes.reviewedSince({ since: 2_500, limit: 100 });
      expect(found.map((each) => each.resolvedAt)).toEqual([3_000, 4_000, 5_000]);
      expect(found[2]).toEqual(kept[0]);
      const latest = await stores.reviewOutcomes.reviewedSince({ since: 0, limit: 2 });
      expect(latest.map((each) => each.resolvedAt)).toEqual([4_000, 5_000]);
    });
  },
);
