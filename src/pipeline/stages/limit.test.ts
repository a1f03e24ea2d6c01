import { describe, expect, it, vi } from 'vitest';
import type { CostCalculator } from '../../accounting/index.js';
import { GatewayError } from '../../errors/index.js';
import type { LimitDecision, Limiter, LimitRequest } from '../../limits/index.js';
import { createMetrics } from '../../telemetry/index.js';
import { proceed } from '../stage.js';
import { tracing, validatedCall } from '../test-fakes.js';
import { createLimitStage } from './limit.js';

const costs = { costOf: () => 0.25, upperBound: () => 1 } as unknown as CostCalculator;

describe('the limit stage', () => {
  const metrics = createMetrics({ knownModels: [] });

  function stageDeciding(decision: LimitDecision) {
    const acquire = vi.fn((_request: LimitRequest) => Promise.resolve(decision));
    const limiter = { acquire } as unknown as Limiter;
    return { acquire, stage: createLimitStage({ limiter, costs, targetsOf: () => [], metrics, tracing }) };
  }

  it('reserves the prompt and the declared output, and leaves a lease that settles once', async () => {
    const settle = vi.fn(() => Promise.resolve());
    const { acquire, stage } = stageDeciding({
      type: 'admitted',
      lease: { settle },
      headers: { 'x-a': '1' },
    });
    const call = validatedCall();
    await expect(stage.run(call)).resolves.toBe(proceed);
    const request = acquire.mock.calls[0]?.[0];
    expect(request?.subject).toBe('key_test');
    expect(request?.estimatedTokens).toBeGreaterThan(50);
    expect(call.meta.rateLimitHeaders).toEqual({ 'x-a': '1' });
    await call.lease?.settle({ tokens: 1, costUsd: 0 });
    await call.lease?.settle({ tokens: 2, costUsd: 0 });
    expect(settle).toHaveBeenCalledOnce();
  });

  it('refuses with the limiter’s error and headers, holding no lease', async () => {
    const error = new GatewayError('rate_limited', 'slow down');
    const { stage } = stageDeciding({ type: 'rejected', error, headers: { 'x-b': '2' }, limit: 'requests' });
    const call = validatedCall();
    await expect(stage.run(call)).resolves.toEqual({ type: 'reject', error });
    expect(call.lease).toBeUndefined();
    expect(call.meta.rateLimitHeaders).toEqual({ 'x-b': '2' });
  });
});
