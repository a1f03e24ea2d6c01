import type { TargetStats } from './target-stats.js';
import type { ModelRoute, Target } from './types.js';

/** The identity of a target for breakers and statistics. */
export function targetId(target: Target): string {
  return `${target.provider.name}/${target.model}`;
}

/**
 * The order in which a route's targets are tried; the rest of the list is the fail-over order.
 * - `fallback`: as configured.
 * - `weighted`: the first drawn at random by weight, then the rest heaviest first.
 * - `least-busy`: fewest requests in flight from this replica first (ties by weight).
 * - `least-latency`: lowest moving-average time to first byte first; targets never measured go
 *   first so that they get measured.
 */
export function orderTargets(route: ModelRoute, stats: TargetStats, random: () => number): readonly Target[] {
  const targets = route.targets;
  if (targets.length < 2) return targets;
  switch (route.strategy) {
    case 'fallback':
      return targets;
    case 'least-busy':
      return [...targets].sort(
        (a, b) => stats.inFlight(targetId(a)) - stats.inFlight(targetId(b)) || b.weight - a.weight,
      );
    case 'least-latency':
      return [...targets].sort(
        (a, b) => (stats.latencyMs(targetId(a)) ?? -1) - (stats.latencyMs(targetId(b)) ?? -1),
      );
    case 'weighted':
      return weighted(targets, random);
    default: {
      const unreachable: never = route.strategy;
      return unreachable;
    }
  }
}

function weighted(targets: readonly Target[], random: () => number): readonly Target[] {
  const total = targets.reduce((sum, target) => sum + target.weight, 0);
  let pick = random() * total;
  let first = targets[0];
  for (const target of targets) {
    pick -= target.weight;
    if (pick < 0) {
      first = target;
      break;
    }
  }
  const rest = targets.filter((target) => target !== first).sort((a, b) => b.weight - a.weight);
  return first === undefined ? rest : [first, ...rest];
}
