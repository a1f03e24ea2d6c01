import { describe, expect, it } from 'vitest';
import { builtInTiers, mergeTiers, resolveLimits } from './tiers.js';

describe('tiers', () => {
  it('has free, pro and enterprise built in', () => {
    expect(Object.keys(builtInTiers)).toEqual(['free', 'pro', 'enterprise']);
    expect(builtInTiers.free).toEqual({
      requestsPerMinute: 20,
      tokensPerMinute: 40_000,
      concurrentRequests: 2,
    });
  });

  it('merges configured tiers over the built-in ones limit by limit, and adds new ones', () => {
    const tiers = mergeTiers({
      free: { requestsPerMinute: 5, tokensPerMinute: undefined },
      gold: { tokensPerMinute: 7 },
    });
    expect(tiers.free).toEqual({ requestsPerMinute: 5, tokensPerMinute: 40_000, concurrentRequests: 2 });
    expect(tiers.gold).toEqual({
      requestsPerMinute: undefined,
      tokensPerMinute: 7,
      concurrentRequests: undefined,
    });
    expect(tiers.pro).toEqual(builtInTiers.pro);
  });

  it("applies a key's overrides over its tier, and the default requests per minute last", () => {
    const tier = { requestsPerMinute: undefined, tokensPerMinute: 1_000, concurrentRequests: 3 };
    expect(resolveLimits(tier, {}, 60)).toEqual({
      requestsPerMinute: 60,
      tokensPerMinute: 1_000,
      concurrentRequests: 3,
    });
    expect(resolveLimits(tier, { requestsPerMinute: 10, concurrentRequests: 1 }, 60)).toEqual({
      requestsPerMinute: 10,
      tokensPerMinute: 1_000,
      concurrentRequests: 1,
    });
    expect(resolveLimits({}, {}, undefined)).toEqual({
      requestsPerMinute: undefined,
      tokensPerMinute: undefined,
      concurrentRequests: undefined,
    });
  });
});
