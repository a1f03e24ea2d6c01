import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../providers/contract.js';
import { orderTargets } from './target-order.js';
import { createTargetStats } from './target-stats.js';
import type { ModelRoute, Target } from './types.js';

const provider = (name: string) => ({ name }) as ProviderAdapter;
const target = (name: string, weight = 1): Target => ({ provider: provider(name), model: 'm', weight });
const route = (strategy: ModelRoute['strategy'], targets: Target[]): ModelRoute =>
  ({ name: 'x', strategy, targets, fallbacks: [] }) as unknown as ModelRoute;

describe('target order', () => {
  it('weighted: draws the first target in proportion to its weight', () => {
    const targets = [target('a', 3), target('b', 1)];
    const stats = createTargetStats();
    let seed = 1;
    const random = () => (seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647;
    const firsts = { a: 0, b: 0 };
    for (let index = 0; index < 4_000; index += 1) {
      const name = orderTargets(route('weighted', targets), stats, random)[0]!.provider.name as 'a' | 'b';
      firsts[name] += 1;
    }
    expect(firsts.a / 4_000).toBeGreaterThan(0.7);
    expect(firsts.a / 4_000).toBeLessThan(0.8);
  });

  it('fallback keeps the configured order', () => {
    const targets = [target('a'), target('b'), target('c')];
    expect(orderTargets(route('fallback', targets), createTargetStats(), () => 0.99)).toEqual(targets);
  });

  it('least-busy puts the target with the fewest requests in flight first', () => {
    const stats = createTargetStats();
    stats.started('a/m');
    stats.started('a/m');
    stats.started('b/m');
    const names = orderTargets(route('least-busy', [target('a'), target('b')]), stats, Math.random).map(
      (entry) => entry.provider.name,
    );
    expect(names).toEqual(['b', 'a']);
  });

  it('least-latency puts unmeasured targets first, then the fastest', () => {
    const stats = createTargetStats();
    stats.started('a/m');
    stats.finished('a/m', 50);
    stats.started('b/m');
    stats.finished('b/m', 10);
    const order = (targets: Target[]) =>
      orderTargets(route('least-latency', targets), stats, Math.random).map((entry) => entry.provider.name);
    expect(order([target('a'), target('b')])).toEqual(['b', 'a']);
    expect(order([target('a'), target('b'), target('c')])).toEqual(['c', 'b', 'a']);
  });
});
