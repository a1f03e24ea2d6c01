import { describe, expect, it } from 'vitest';
import {
  defaultGovernanceSettings,
  governanceSettingsFrom,
  type GovernanceConfigSection,
} from './governance-settings.js';

const section: GovernanceConfigSection = {
  mode: 'shadow',
  confidence: {
    allow_unverified: true,
    missing_mode: 'read_only',
    gates: { allow: 0.8, review: 0.6, read_only: 0.4 },
  },
  agents: { 'invoice-bot': { gates: { allow: 0.95 }, mode: 'enforce' } },
  actions: {
    '*': { criticality: 0.5 },
    'read_*': { read_only: true },
    'approve_refund*': { criticality: 0.9, gates: { allow: 0.97 } },
    approve_refund_small: { criticality: 0.6 },
  },
  policy: { cedar: 'forbid(principal, action, resource);' },
};

describe('governance settings from the configuration', () => {
  const settings = governanceSettingsFrom(section);

  it('converts every field to camelCase settings', () => {
    expect(settings.mode).toBe('shadow');
    expect(settings.allowUnverifiedConfidence).toBe(true);
    expect(settings.missingConfidenceMode).toBe('read_only');
    expect(settings.gates).toEqual({ allow: 0.8, review: 0.6, readOnly: 0.4 });
    expect(settings.agents.get('invoice-bot')).toEqual({
      gates: { allow: 0.95, review: undefined, readOnly: undefined },
      mode: 'enforce',
    });
    expect(settings.initialPolicy).toBe('forbid(principal, action, resource);');
  });

  it('finds the most specific catalog entry: exact name, then the longest literal pattern', () => {
    expect(settings.actions.lookup('approve_refund_small')?.pattern).toBe('approve_refund_small');
    expect(settings.actions.lookup('approve_refund_large')).toEqual({
      pattern: 'approve_refund*',
      criticality: 0.9,
      readOnly: false,
      gates: { allow: 0.97, review: undefined, readOnly: undefined },
    });
    expect(settings.actions.lookup('read_invoice')?.readOnly).toBe(true);
    expect(settings.actions.lookup('send_email')?.pattern).toBe('*');
  });

  it('finds nothing for names inherited from Object.prototype', () => {
    expect(settings.agents.get('constructor')).toBeUndefined();
    expect(settings.agents.get('__proto__')).toBeUndefined();
    expect(defaultGovernanceSettings.actions.lookup('constructor')).toBeUndefined();
  });

  it('has the schema defaults when the section is empty', () => {
    expect(defaultGovernanceSettings.gates).toEqual({ allow: 0.9, review: 0.7, readOnly: 0.5 });
    expect(defaultGovernanceSettings.mode).toBe('enforce');
    expect(defaultGovernanceSettings.missingConfidenceMode).toBe('deny');
    expect(defaultGovernanceSettings.allowUnverifiedConfidence).toBe(false);
  });

  it('is frozen, so a decision cannot change the settings the next one uses', () => {
    expect(Object.isFrozen(settings)).toBe(true);
    expect(Object.isFrozen(settings.gates)).toBe(true);
  });
});
