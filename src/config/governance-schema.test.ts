import { describe, expect, it } from 'vitest';
import { defaultGovernanceSection } from '../governance/governance-settings.js';
import { formatProblems } from './config-error.js';
import { loadConfig, type LoadResult } from './load.js';

function load(yaml: string): LoadResult {
  return loadConfig({ flags: {}, env: {}, cwd: '/srv', readFile: () => yaml });
}

function errorsOf(result: LoadResult): string {
  if (result.ok) throw new Error('expected the configuration to be rejected');
  return formatProblems(result.errors);
}

function configOf(result: LoadResult) {
  if (!result.ok) throw new Error(formatProblems(result.errors));
  return result.config;
}

describe('the governance section', () => {
  it('defaults to what governance assumes for an empty section', () => {
    expect(configOf(load('')).governance).toEqual(defaultGovernanceSection);
  });

  it('defaults to enforcement, Lelu gates, missing confidence denied, a permit-all policy and a 24 h review TTL', () => {
    const { governance } = configOf(load(''));
    expect(governance).toEqual({
      mode: 'enforce',
      confidence: {
        allow_unverified: false,
        missing_mode: 'deny',
        gates: { allow: 0.9, review: 0.7, read_only: 0.5 },
      },
      agents: {},
      actions: {},
      rate_limit: {},
      policy: { cedar: 'permit(principal, action, resource);' },
      review: { ttl_seconds: 86_400 },
      delegation: {
        max_depth: 5,
        max_swarm_size: 10,
        swarm_operation_timeout: 30_000,
        confidence_floor: 0.9,
        llm_routes: false,
      },
      analytics: {
        models: { min_samples: 100, update_interval: 21_600_000 },
        prediction: { enabled: true, window: 1_209_600_000, threshold: 0.6, auto_resolve: 'off' },
        calibration: { enabled: true, window: 2_592_000_000, threshold: 0.7 },
      },
    });
  });

  it('refuses a review TTL that is not a positive whole number of seconds', () => {
    for (const ttl of ['0', '1.5', '"1h"', '31536001']) {
      const result = load(`governance:\n  review:\n    ttl_seconds: ${ttl}\n`);
      expect(result.ok, ttl).toBe(false);
    }
  });

  it('accepts the issue example: partial agent and action gates, criticality and read-only flags', () => {
    const { governance } = configOf(
      load(`governance:
  mode: shadow
  confidence: { allow_unverified: true, missing_mode: review }
  agents: { invoice-bot: { gates: { allow: 0.95 }, mode: enforce } }
  actions: { "approve_refund*": { criticality: 0.9, gates: { allow: 0.97 } }, "read_*": { read_only: true } }
`),
    );
    expect(governance.agents['invoice-bot']).toEqual({ gates: { allow: 0.95 }, mode: 'enforce' });
    expect(governance.actions['approve_refund*']).toEqual({ criticality: 0.9, gates: { allow: 0.97 } });
    expect(governance.confidence.missing_mode).toBe('review');
  });

  it('refuses global gates out of order, naming the field', () => {
    const errors = errorsOf(load('governance:\n  confidence:\n    gates: { allow: 0.6, review: 0.7 }\n'));
    expect(errors).toContain('governance.confidence.gates');
    expect(errors).toContain('allow (0.6) is below review (0.7)');
  });

  it('refuses an agent override that breaks the order with the global gates it keeps', () => {
    // review stays 0.7 globally, so an agent allow of 0.65 is below it.
    const errors = errorsOf(load('governance:\n  agents:\n    bot: { gates: { allow: 0.65 } }\n'));
    expect(errors).toContain('governance.agents.bot.gates');
    expect(errors).toContain("agent bot's gates");
  });

  it('refuses an action override out of order with the global read-only gate', () => {
    const errors = errorsOf(load('governance:\n  actions:\n    "pay*": { gates: { review: 0.4 } }\n'));
    expect(errors).toContain('governance.actions.pay*.gates');
    expect(errors).toContain('review (0.4) is below read_only (0.5)');
  });

  it('refuses an agent and an action that are each ordered but disordered together', () => {
    const errors = errorsOf(
      load(`governance:
  agents: { bot: { gates: { review: 0.85, read_only: 0.8 } } }
  actions: { "read_*": { gates: { allow: 0.82 } } }
`),
    );
    expect(errors).toContain("action read_*'s gates for agent bot");
    expect(errors).toContain('allow (0.82) is below review (0.85)');
  });

  it('refuses gates outside [0, 1], unknown keys and unknown modes', () => {
    expect(errorsOf(load('governance:\n  confidence:\n    gates: { allow: 1.2 }\n'))).toContain(
      'governance.confidence.gates.allow',
    );
    expect(errorsOf(load('governance:\n  actions:\n    "x": { criticality: -0.1 }\n'))).toContain(
      'governance.actions.x.criticality',
    );
    expect(errorsOf(load('governance:\n  agents:\n    a: { mode: observe }\n'))).toContain(
      'governance.agents.a.mode',
    );
    expect(errorsOf(load('governance:\n  confidence:\n    missing: deny\n'))).toContain('missing_mode');
  });
});
