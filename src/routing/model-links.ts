import type { ModelResolver } from './model-resolver.js';
import type { ModelRoute, Target } from './types.js';

/** The routes of the named models that resolve, in the order named. */
export function resolveModels(resolver: ModelResolver, names: readonly string[]): ModelRoute[] {
  return names.flatMap((name) => resolver.resolve(name) ?? []);
}

/**
 * Every model a request for `first` may reach: itself, its fallbacks and context fallbacks, and
 * theirs at any depth — the graph a `CandidatePlan` walks, each model once.
 */
export function reachableModels(first: ModelRoute, resolver: ModelResolver): ModelRoute[] {
  const reached = new Map<string, ModelRoute>([[first.name, first]]);
  for (const model of reached.values()) {
    for (const linked of resolveModels(resolver, [...model.fallbacks, ...model.contextFallbacks])) {
      if (!reached.has(linked.name)) reached.set(linked.name, linked);
    }
  }
  return [...reached.values()];
}

/**
 * Every target that may answer a request for a model name, for estimates that must hold whichever
 * answers (a budget is checked at the dearest). Remembered per route, so configured models are
 * walked once; implicitly routed names are not kept beyond their route.
 */
export function createAnsweringTargets(resolver: ModelResolver): (model: string) => readonly Target[] {
  const known = new WeakMap<ModelRoute, readonly Target[]>();
  return (model) => {
    const route = resolver.resolve(model);
    if (route === undefined) return [];
    let targets = known.get(route);
    if (targets === undefined) {
      targets = reachableModels(route, resolver).flatMap((reached) => reached.targets);
      known.set(route, targets);
    }
    return targets;
  };
}
