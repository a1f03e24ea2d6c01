import type { DecisionSample } from './behaviour.js';

/**
 * Test support (not used by the gateway): synthetic agents with known behaviour, reproducible from
 * a seed (a linear congruential generator: no Math.random, so a failure can be replayed).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

export const everydayActions = [
  'read_invoice',
  'list_orders',
  'update_ticket',
  'search_docs',
  'read_customer',
];

export interface SyntheticAgent {
  readonly actions?: readonly string[];
  /** Mean gap between decisions, ms. */
  readonly gapMs?: number;
  readonly denyShare?: number;
  /** Confidence uniform in [low, low + 0.29]. */
  readonly confidenceFrom?: number;
}

/** `count` decisions from `start` (Unix ms) by an agent that behaves as described. */
export function behaviour(
  random: () => number,
  count: number,
  start: number,
  agent: SyntheticAgent = {},
): DecisionSample[] {
  const actions = agent.actions ?? everydayActions;
  const gapMs = agent.gapMs ?? 60_000;
  const samples: DecisionSample[] = [];
  let time = start;
  for (let index = 0; index < count; index += 1) {
    time += gapMs * (0.5 + random());
    samples.push({
      time,
      action: actions[Math.floor(random() * actions.length)] ?? 'read_invoice',
      decision: random() < (agent.denyShare ?? 0.05) ? 'deny' : 'allow',
      confidence: (agent.confidenceFrom ?? 0.7) + 0.29 * random(),
    });
  }
  return samples;
}
