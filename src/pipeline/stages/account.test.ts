import { describe, expect, it, vi } from 'vitest';
import { createUsageRecordIdGenerator, type UsageRecord } from '../../accounting/index.js';
import { noopSpan } from '../../telemetry/index.js';
import type { FinishedRequest } from '../finished-request.js';
import { noMeta } from '../stage.js';
import { context, principal } from '../test-fakes.js';
import { createAccountStage, type Accounting } from './account.js';

function finishedRequest(patch: Partial<FinishedRequest>): FinishedRequest {
  return {
    context: context(),
    span: noopSpan,
    principal,
    model: 'mock',
    stream: false,
    meta: { ...noMeta, provider: 'p', model: 't', attempts: 1 },
    status: 200,
    usage: undefined,
    error: undefined,
    streamComplete: undefined,
    savedCostUsd: 0,
    outputText: undefined,
    lease: undefined,
    accounted: true,
    latencyMs: 12.4,
    ...patch,
  };
}

function accountingWith(records: UsageRecord[]): Accounting {
  return {
    costs: { costOf: () => 0.5, upperBound: () => 1 },
    usage: { record: (record) => records.push(record) },
    tokens: {
      countUsage: () =>
        Promise.resolve({
          inputTokens: 10,
          outputTokens: 20,
          cachedInputTokens: 0,
          cacheCreationInputTokens: 0,
        }),
    } as unknown as Accounting['tokens'],
    providerType: () => 'mock',
    newRecordId: createUsageRecordIdGenerator(),
  };
}

describe('the account stage', () => {
  it('prices the answer at its target, records it and settles the lease with what was used', async () => {
    const records: UsageRecord[] = [];
    const settle = vi.fn(() => Promise.resolve());
    const usage = { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, cacheCreationInputTokens: 0 };
    const accounted = await createAccountStage(accountingWith(records)).account(
      finishedRequest({ usage, lease: { settle } }),
      principal,
    );
    expect(accounted).toEqual({ costUsd: 0.5, usage });
    expect(records).toMatchObject([
      { keyId: 'key_test', model: 'mock', targetModel: 't', costUsd: 0.5, latencyMs: 12 },
    ]);
    expect(settle).toHaveBeenCalledExactlyOnceWith({ tokens: 3, costUsd: 0.5 });
  });

  it('counts an answer that came without usage, and shutdown waits for the count', async () => {
    const records: UsageRecord[] = [];
    const stage = createAccountStage(accountingWith(records));
    const accounting = stage.account(finishedRequest({ outputText: 'some text' }), principal);
    await stage.drain();
    expect(records).toMatchObject([{ inputTokens: 10, outputTokens: 20 }]);
    await expect(accounting).resolves.toMatchObject({ usage: { outputTokens: 20 } });
  });
});
