import { describe, expect, it, vi } from 'vitest';
import type { CostCalculator } from '../../accounting/index.js';
import { validatedCall } from '../test-fakes.js';
import { limitRequestFor } from './limit-request.js';

/** Prices a token of output at one dollar, so the estimate is the output bound the stage used. */
function outputBoundOf(body: Record<string, unknown>): number {
  const call = validatedCall(body);
  const upperBound = vi.fn((_provider: unknown, _model: string, _prompt: number, output: number) => output);
  const costs = { costOf: () => 0, upperBound } as unknown as CostCalculator;
  const principal = { ...call.principal!, budget: { usd: 1_000_000, period: 'total' as const } };
  const request = limitRequestFor(
    {
      principal,
      dialect: 'openai',
      operation: 'chat',
      summary: call.summary!,
      body,
      now: 0,
    },
    costs,
    () => [],
  );
  return request.budget?.estimatedCostUsd ?? Number.NaN;
}

describe('the budget estimate of one request', () => {
  const messages = [{ role: 'user', content: 'hi' }];

  it('bounds the output by max_completion_tokens (or max_tokens) for each of n answers', () => {
    expect(outputBoundOf({ model: 'gpt-4o', messages, max_tokens: 100 })).toBe(100);
    expect(outputBoundOf({ model: 'gpt-4o', messages, max_completion_tokens: 50, max_tokens: 9 })).toBe(50);
    expect(outputBoundOf({ model: 'gpt-4o', messages, max_tokens: 100, n: 3 })).toBe(300);
  });

  it('assumes the default bound when the request sets none', () => {
    expect(outputBoundOf({ model: 'gpt-4o', messages })).toBe(4_096);
    expect(outputBoundOf({ model: 'gpt-4o', messages, n: 2 })).toBe(8_192);
  });
});
