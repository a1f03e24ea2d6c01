import { describe, expect, it } from 'vitest';
import type { ProviderAdapter } from '../providers/contract.js';
import { createAnsweringTargets, reachableModels } from './model-links.js';
import type { ModelResolver } from './model-resolver.js';
import type { ModelRoute } from './types.js';

function model(name: string, links: { fallbacks?: string[]; contextFallbacks?: string[] } = {}): ModelRoute {
  return {
    name,
    targets: [
      { provider: { name: 'p', type: 'mock' } as ProviderAdapter, model: `${name}-target`, weight: 1 },
    ],
    fallbacks: links.fallbacks ?? [],
    contextFallbacks: links.contextFallbacks ?? [],
  } as unknown as ModelRoute;
}

function resolverOf(models: readonly ModelRoute[]): ModelResolver & { resolved: string[] } {
  const byName = new Map(models.map((entry) => [entry.name, entry]));
  const resolved: string[] = [];
  return {
    resolved,
    resolve(name) {
      resolved.push(name);
      return byName.get(name);
    },
    configuredNames: () => [...byName.keys()],
  };
}

describe('model links', () => {
  it('reaches fallbacks and context fallbacks at any depth, each model once, through cycles', () => {
    const resolver = resolverOf([
      model('a', { fallbacks: ['b'], contextFallbacks: ['c'] }),
      model('b', { fallbacks: ['d', 'a'] }),
      model('c', { contextFallbacks: ['e'] }),
      model('d', { fallbacks: ['b'] }),
      model('e'),
    ]);
    const names = reachableModels(resolver.resolve('a')!, resolver).map((entry) => entry.name);
    expect(names.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('skips names that do not resolve', () => {
    const resolver = resolverOf([model('a', { fallbacks: ['missing', 'b'] }), model('b')]);
    expect(reachableModels(resolver.resolve('a')!, resolver).map((entry) => entry.name)).toEqual(['a', 'b']);
  });

  it('walks a model once and answers from memory afterwards', () => {
    const resolver = resolverOf([model('a', { fallbacks: ['b'] }), model('b')]);
    const answeringTargets = createAnsweringTargets(resolver);
    expect(answeringTargets('a').map((target) => target.model)).toEqual(['a-target', 'b-target']);
    const walked = resolver.resolved.length;
    expect(answeringTargets('a').map((target) => target.model)).toEqual(['a-target', 'b-target']);
    expect(resolver.resolved.length).toBe(walked + 1);
    expect(answeringTargets('unknown')).toEqual([]);
  });
});
