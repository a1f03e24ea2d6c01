import { describe, expect, it } from 'vitest';
import {
  governanceSettingsFrom,
  type GovernanceConfigSection,
  type GovernanceSettings,
} from '../governance-settings.js';
import { defaultGovernanceSection, defaultGovernanceSettings } from '../governance-settings.js';
import { effectiveGates, gateVerdict, missingConfidenceVerdict } from './gates.js';

function settingsWith(overrides: Partial<GovernanceConfigSection>): GovernanceSettings {
  return governanceSettingsFrom({ ...defaultGovernanceSection, ...overrides });
}

function kindAt(
  confidence: number,
  settings: GovernanceSettings,
  actor = 'bot',
  action = 'do_something',
): string {
  return gateVerdict(confidence, effectiveGates(settings, actor, settings.actions.lookup(action))).kind;
}

describe('the default gates', () => {
  it.each([
    [0, 'deny'],
    [0.4999, 'deny'],
    [0.5, 'read_only'],
    [0.6999, 'read_only'],
    [0.7, 'human_review'],
    [0.8999, 'human_review'],
    [0.9, 'allow'],
    [1, 'allow'],
  ])('confidence %s → %s', (confidence, kind) => {
    expect(kindAt(confidence, defaultGovernanceSettings)).toBe(kind);
  });

  it('says which gate a confidence fell below', () => {
    const gates = defaultGovernanceSettings.gates;
    expect(gateVerdict(0.8, gates).reason).toBe(
      'confidence 0.8 is below the allow gate 0.9: human review required',
    );
    expect(gateVerdict(0.6, gates).reason).toBe(
      'confidence 0.6 is below the review gate 0.7: downgraded to read_only',
    );
    expect(gateVerdict(0.4, gates).reason).toBe('confidence 0.4 is below the read_only gate 0.5');
    expect(gateVerdict(0.95, gates).reason).toBe('confidence 0.95 meets the allow gate 0.9');
  });
});

describe('overridden gates', () => {
  const settings = settingsWith({
    confidence: {
      allow_unverified: false,
      missing_mode: 'deny',
      gates: { allow: 0.8, review: 0.6, read_only: 0.4 },
    },
    agents: { 'invoice-bot': { gates: { allow: 0.95, read_only: 0.55 } } },
    actions: {
      'approve_refund*': { gates: { allow: 0.97, review: 0.75 } },
      approve_refund_small: { gates: { allow: 0.85 } },
    },
  });

  it.each([
    [0.3999, 'deny'],
    [0.4, 'read_only'],
    [0.5999, 'read_only'],
    [0.6, 'human_review'],
    [0.7999, 'human_review'],
    [0.8, 'allow'],
  ])('globally: %s → %s', (confidence, kind) => {
    expect(kindAt(confidence, settings, 'someone-else')).toBe(kind);
  });

  it.each([
    [0.5499, 'deny'],
    [0.55, 'read_only'],
    [0.5999, 'read_only'],
    [0.6, 'human_review'],
    [0.9499, 'human_review'],
    [0.95, 'allow'],
  ])('per agent, unset gates from the global ones: %s → %s', (confidence, kind) => {
    expect(kindAt(confidence, settings, 'invoice-bot')).toBe(kind);
  });

  it.each([
    [0.3999, 'deny'],
    [0.4, 'read_only'],
    [0.7499, 'read_only'],
    [0.75, 'human_review'],
    [0.9699, 'human_review'],
    [0.97, 'allow'],
  ])('per action pattern, for another agent: %s → %s', (confidence, kind) => {
    expect(kindAt(confidence, settings, 'someone-else', 'approve_refund_large')).toBe(kind);
  });

  it('takes each gate from the action, then the agent, then the global gates', () => {
    expect(effectiveGates(settings, 'invoice-bot', settings.actions.lookup('approve_refund_large'))).toEqual({
      allow: 0.97,
      review: 0.75,
      readOnly: 0.55,
    });
    // The exact name outranks the pattern: only its own allow, the rest from agent and global.
    expect(effectiveGates(settings, 'invoice-bot', settings.actions.lookup('approve_refund_small'))).toEqual({
      allow: 0.85,
      review: 0.6,
      readOnly: 0.55,
    });
  });

  it('does not let an actor named after an Object.prototype member pick up gates', () => {
    expect(effectiveGates(settings, 'constructor', undefined)).toEqual(settings.gates);
  });
});

describe('a missing confidence', () => {
  it.each([
    ['deny', 'deny', 'missing confidence signal from provider; request denied'],
    ['review', 'human_review', 'missing confidence signal from provider; routed to human review'],
    ['read_only', 'read_only', 'missing confidence signal from provider; downgraded to read_only'],
  ] as const)('with missing_mode %s → %s', (mode, kind, reason) => {
    expect(missingConfidenceVerdict(mode)).toEqual({ kind, reason });
  });
});
