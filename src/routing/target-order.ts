import type { ModelRoute, Target } from './types.js';

/**
 * The order in which a route's targets are tried. `weighted` draws the first target by weight and
 * keeps the rest, heaviest first, as its fail-over order; `fallback` keeps the configured order.
 * (`least-latency` and `least-busy` fall back to weighted order until routing statistics exist.)
 */
export function orderTargets(route: ModelRoute, random: () => number): readonly Target[] {
  if (route.strategy === 'fallback' || route.targets.length < 2) return route.targets;
  const total = route.targets.reduce((sum, target) => sum + target.weight, 0);
  let pick = random() * total;
  let first = route.targets[0];
  for (const target of route.targets) {
    pick -= target.weight;
    if (pick < 0) {
      first = target;
      break;
    }
  }
  const rest = route.targets.filter((target) => target !== first).sort((a, b) => b.weight - a.weight);
  return first === undefined ? rest : [first, ...rest];
}
