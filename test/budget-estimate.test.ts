import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { chat, createKey, errorOf } from './support/shared-state.js';

/**
 * A budget is checked before the answer, at the price of the dearest target that may answer the
 * request. Fallbacks of fallbacks and context fallbacks may answer too, so they are priced as well:
 * a cheap model whose fallback's fallback is dear must not slip past a budget the dear one would
 * exceed.
 */

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway({
    pricing: {
      'mock/mock-cheap': { input: 1, output: 1 },
      'mock/mock-dear': { input: 100, output: 100 },
    },
    models: {
      'chain-start': { targets: [{ provider: 'mock', model: 'mock-cheap' }], fallbacks: ['chain-middle'] },
      'chain-middle': { targets: [{ provider: 'mock', model: 'mock-cheap' }], fallbacks: ['chain-dear'] },
      'chain-dear': { targets: [{ provider: 'mock', model: 'mock-dear' }] },
      'context-start': {
        targets: [{ provider: 'mock', model: 'mock-cheap' }],
        context_fallbacks: ['context-larger'],
      },
      'context-larger': { targets: [{ provider: 'mock', model: 'mock-dear' }] },
      'cheap-alone': { targets: [{ provider: 'mock', model: 'mock-cheap' }], fallbacks: ['cheap-too'] },
      'cheap-too': { targets: [{ provider: 'mock', model: 'mock-cheap' }] },
    },
  });
});

afterAll(async () => {
  await gateway.close();
});

/** About 10 prompt tokens that may produce 100: ~$0.011 at the dear price, ~$0.0001 at the cheap. */
function request(model: string): Record<string, unknown> {
  return { model, max_tokens: 100, messages: [{ role: 'user', content: 'Hello' }] };
}

describe('the budget estimate', () => {
  it("prices a fallback's fallback, which may answer the request", async () => {
    const { secret: key } = await createKey(gateway.url, gateway.masterKey, {
      name: 'nested-fallback-budget',
      budget: { usd: 0.005, period: 'total' },
    });
    const response = await chat(gateway.url, { key, body: request('chain-start') });
    expect(response.status, response.text).toBe(429);
    expect(errorOf(response).code).toBe('budget_exceeded');
  });

  it("prices a model's context fallback, which answers prompts too long for it", async () => {
    const { secret: key } = await createKey(gateway.url, gateway.masterKey, {
      name: 'context-fallback-budget',
      budget: { usd: 0.005, period: 'total' },
    });
    const response = await chat(gateway.url, { key, body: request('context-start') });
    expect(response.status, response.text).toBe(429);
    expect(errorOf(response).code).toBe('budget_exceeded');
  });

  it('admits the request under the same budget when every reachable target is cheap', async () => {
    const { secret: key } = await createKey(gateway.url, gateway.masterKey, {
      name: 'cheap-chain-budget',
      budget: { usd: 0.005, period: 'total' },
    });
    const response = await chat(gateway.url, { key, body: request('cheap-alone') });
    expect(response.status, response.text).toBe(200);
  });

  it('admits a request to the dear chain when the budget covers its dearest target', async () => {
    const { secret: key } = await createKey(gateway.url, gateway.masterKey, {
      name: 'ample-budget',
      budget: { usd: 1, period: 'total' },
    });
    const response = await chat(gateway.url, { key, body: request('chain-start') });
    expect(response.status, response.text).toBe(200);
  });
});
