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
        sync_interval: 10_000,
        max_agents: 5_000,
        reputation: { low_threshold: 0.5, min_decisions: 10, half_life: 30 * 86_400_000 },
        anomaly: {
          enabled: true,
          severity_threshold: 0.7,
          window_size: 100,
          baseline_sample_size: 100,
          baseline_refresh_interval: 86_400_000,
        },
        policy: { optimization_threshold: 0.5, min_reviews: 10 },
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

describe('governance.analytics', () => {
  const analyticsOf = (yaml: string, env: Record<string, string> = {}) => {
    const result = loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
    return configOf(result).governance.analytics;
  };

  it('takes each Lelu variable, over the file', () => {
    const analytics = analyticsOf('governance:\n  analytics: { reputation: { low_threshold: 0.3 } }\n', {
      REPUTATION_LOW_THRESHOLD: '0.6',
      REPUTATION_MIN_DECISIONS: '4',
      ANOMALY_DETECTION_ENABLED: 'false',
      ANOMALY_SEVERITY_THRESHOLD: '0.9',
      ANOMALY_WINDOW_SIZE: '50',
      BASELINE_SAMPLE_SIZE: '200',
      BASELINE_REFRESH_INTERVAL: '12h',
      POLICY_OPTIMIZATION_THRESHOLD: '0.4',
    });
    expect(analytics).toMatchObject({
      reputation: { low_threshold: 0.6, min_decisions: 4 },
      anomaly: {
        enabled: false,
        severity_threshold: 0.9,
        window_size: 50,
        baseline_sample_size: 200,
        baseline_refresh_interval: 12 * 3_600_000,
      },
      policy: { optimization_threshold: 0.4 },
    });
  });

  it('reads durations in days as well as Go’s units', () => {
    expect(
      analyticsOf('governance:\n  analytics: { reputation: { half_life: 7d12h } }\n').reputation.half_life,
    ).toBe(7.5 * 86_400_000);
    expect(analyticsOf('', { BASELINE_REFRESH_INTERVAL: '2d' }).anomaly.baseline_refresh_interval).toBe(
      2 * 86_400_000,
    );
  });

  it('refuses nonsense, naming the field or the variable', () => {
    for (const [yaml, env, named] of [
      [
        'governance:\n  analytics: { anomaly: { baseline_refresh_interval: 24 } }\n',
        {},
        'baseline_refresh_interval',
      ],
      ['', { BASELINE_REFRESH_INTERVAL: 'daily' }, 'BASELINE_REFRESH_INTERVAL'],
      ['', { REPUTATION_LOW_THRESHOLD: '1.5' }, 'REPUTATION_LOW_THRESHOLD'],
      ['', { ANOMALY_WINDOW_SIZE: '5' }, 'ANOMALY_WINDOW_SIZE'],
      ['', { ANOMALY_DETECTION_ENABLED: 'sometimes' }, 'ANOMALY_DETECTION_ENABLED'],
      ['governance:\n  analytics: { sync_interval: 10ms }\n', {}, 'sync_interval'],
    ] as const) {
      const result = loadConfig({ flags: {}, env, cwd: '/srv', readFile: () => yaml });
      expect(errorsOf(result)).toContain(named);
    }
  });
});
