import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createInProcessWakeChannel,
  createReviewQueue,
  type ReviewDetails,
  type ReviewItem,
  type ReviewQueue,
} from '../../governance/review/index.js';
import { createSqlStores, type SqlStores } from './index.js';
import { testDatabases } from './test-databases.js';

/**
 * The review queue on its real stores, SQLite and Postgres: found by id or trace id, listed
 * oldest first with filters and pages, resolved exactly once (also under a race), expired as
 * denied for readers before any sweep and written down once by the sweep.
 */

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

let traceCounter = 0;
function details(overrides: Partial<ReviewDetails> = {}): ReviewDetails {
  traceCounter += 1;
  return {
    tenantId: 'acme',
    actor: 'invoice-bot',
    action: 'approve_refund',
    resource: { invoice: 'inv-7' },
    confidenceScore: 0.8,
    reason: 'confidence 0.8 is below the allow gate',
    actingFor: 'ada',
    traceId: `trace-${traceCounter}`,
    riskScore: 0.12,
    policyDigest: 'a'.repeat(64),
    inputHash: 'b'.repeat(64),
    argsHash: undefined,
    policyIds: ['agents-may-act'],
    ...overrides,
  };
}

const modes = databases.flatMap((database): [string, typeof database, boolean][] =>
  database.dialect === 'sqlite'
    ? [
        ['sqlite', database, false],
        ['sqlite, items inserted by the write thread', database, true],
      ]
    : [[database.dialect, database, false]],
);

describe.each(modes)('the review queue on %s', (_label, database, writeThread) => {
  let stores: SqlStores;
  let clock: number;
  let ids: number;
  let resolved: ReviewItem[];
  let queue: ReviewQueue;

  beforeEach(async () => {
    stores = await createSqlStores({ ...(await database.isolated()), writeThread });
    clock = 1_000_000;
    ids = 0;
    resolved = [];
    queue = createReviewQueue({
      store: stores.reviews,
      channel: createInProcessWakeChannel(),
      events: { created: () => undefined, resolved: (item) => resolved.push(item) },
      observer: { reviewed: () => undefined },
      ttlMs: 60_000,
      now: () => clock,
      newId: () => `rev_${(ids += 1)}`,
      onError: (error) => {
        throw error;
      },
    });
  });
  afterEach(() => stores.close());

  it('stores every field and finds the item by its id or its trace id', async () => {
    const created = await queue.enqueue(details({ traceId: 'trace-x', argsHash: 'c'.repeat(64) }));
    expect(created).toMatchObject({
      id: 'rev_1',
      status: 'pending',
      enqueuedAt: clock,
      expiresAt: clock + 60_000,
    });
    expect(await queue.find('rev_1')).toEqual(created);
    expect(await queue.find('trace-x')).toEqual(created);
    expect(await queue.find('rev_2')).toBeUndefined();
    expect(await queue.find("' or 1=1 --")).toBeUndefined();
  });

  it('lists pending items oldest first, filtered, a page at a time', async () => {
    for (const [actor, action] of [
      ['a', 'x'],
      ['b', 'x'],
      ['a', 'y'],
      ['a', 'x'],
    ] as const) {
      await queue.enqueue(details({ actor, action, tenantId: actor === 'b' ? 'other' : 'acme' }));
      clock += 10;
    }
    const listed = (filter: Parameters<ReviewQueue['listPending']>[0]) =>
      queue.listPending(filter).then((items) => items.map((item) => item.id));
    expect(await listed({ limit: 10 })).toEqual(['rev_1', 'rev_2', 'rev_3', 'rev_4']);
    expect(await listed({ limit: 10, tenantId: 'acme', action: 'x' })).toEqual(['rev_1', 'rev_4']);
    expect(await listed({ limit: 10, actor: 'b' })).toEqual(['rev_2']);
    const first = await queue.listPending({ limit: 2 });
    const last = first.at(-1)!;
    expect(await listed({ limit: 2, after: { enqueuedAt: last.enqueuedAt, id: last.id } })).toEqual([
      'rev_3',
      'rev_4',
    ]);
    await queue.resolve('rev_2', {
      status: 'denied',
      resolvedBy: 'bo',
      note: undefined,
      resolverKeyId: 'k',
    });
    expect(await listed({ limit: 10 })).toEqual(['rev_1', 'rev_3', 'rev_4']);
    expect(await queue.countPending()).toBe(3);
  });

  it('resolves once: a second resolution reports the outcome that stands', async () => {
    await queue.enqueue(details({ traceId: 'trace-once' }));
    const first = await queue.resolve('trace-once', {
      status: 'approved',
      resolvedBy: 'ada',
      note: 'fine',
      resolverKeyId: 'key_1',
    });
    expect(first).toMatchObject({
      type: 'resolved',
      item: {
        status: 'approved',
        resolvedBy: 'ada',
        resolutionNote: 'fine',
        resolverKeyId: 'key_1',
        resolvedAt: clock,
      },
    });
    const second = await queue.resolve('rev_1', {
      status: 'denied',
      resolvedBy: 'bo',
      note: undefined,
      resolverKeyId: 'key_2',
    });
    expect(second).toMatchObject({
      type: 'already_resolved',
      item: { status: 'approved', resolvedBy: 'ada' },
    });
    expect(
      await queue.resolve('rev_9', {
        status: 'denied',
        resolvedBy: 'bo',
        note: undefined,
        resolverKeyId: 'k',
      }),
    ).toEqual({
      type: 'not_found',
    });
    expect(resolved.map((item) => item.status)).toEqual(['approved']);
  });

  it('lets exactly one of many racing resolutions win', async () => {
    await queue.enqueue(details());
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        queue.resolve('rev_1', {
          status: index % 2 === 0 ? 'approved' : 'denied',
          resolvedBy: `reviewer-${index}`,
          note: undefined,
          resolverKeyId: 'k',
        }),
      ),
    );
    const winners = outcomes.filter((outcome) => outcome.type === 'resolved');
    expect(winners).toHaveLength(1);
    const standing = await queue.find('rev_1');
    for (const outcome of outcomes)
      if (outcome.type !== 'not_found') expect(outcome.item.resolvedBy).toBe(standing!.resolvedBy);
    expect(resolved).toHaveLength(1);
  });

  it('reads an item past its TTL as denied by expiry, before and after the sweep, and refuses to resolve it', async () => {
    const item = await queue.enqueue(details());
    clock += 60_000;
    const expired = { status: 'denied', resolvedBy: 'expired', resolvedAt: item.expiresAt };
    expect(await queue.find('rev_1')).toMatchObject(expired);
    expect(await queue.listPending({ limit: 10 })).toEqual([]);
    expect(await queue.countPending()).toBe(0);
    expect(
      await queue.resolve('rev_1', {
        status: 'approved',
        resolvedBy: 'late',
        note: undefined,
        resolverKeyId: 'k',
      }),
    ).toMatchObject({ type: 'already_resolved', item: expired });
    clock += 5_000;
    expect(await queue.sweep()).toBe(1);
    expect(await queue.sweep()).toBe(0);
    expect(await stores.reviews.find('rev_1')).toMatchObject(expired);
    expect(resolved).toEqual([expect.objectContaining(expired)]);
  });

  it('wakes a waiter on a resolution, and answers pending when its time runs out', async () => {
    const item = await queue.enqueue(details());
    const waiting = queue.wait(item, 5_000);
    await queue.resolve('rev_1', {
      status: 'approved',
      resolvedBy: 'ada',
      note: undefined,
      resolverKeyId: 'k',
    });
    expect(await waiting).toMatchObject({ type: 'resolved', item: { status: 'approved' } });
    const other = await queue.enqueue(details());
    expect(await queue.wait(other, 20)).toMatchObject({ type: 'pending', item: { status: 'pending' } });
  });
});
