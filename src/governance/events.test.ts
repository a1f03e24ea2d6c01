import { describe, expect, it } from 'vitest';
import { validateAuthorizeRequest } from './authorize-request.js';
import { decide } from './decisions/decide.js';
import { neutralAgentSignals } from './decisions/agent-signals.js';
import { decisionEventFrom } from './events.js';
import {
  governanceSettingsFrom,
  defaultGovernanceSection,
  defaultGovernanceSettings,
  type GovernanceSettings,
} from './governance-settings.js';
import { phraseScreener } from './decisions/test-phrase-screener.js';

const validated = validateAuthorizeRequest({
  tenant_id: 'acme',
  actor: 'bot',
  action: 'read_invoice',
  resource: { id: 'i-1' },
  acting_for: 'user-1',
  confidence_signal: { provider: 'local', token_probabilities: [0.6] },
});
if (!validated.ok) throw validated.error;
const request = validated.request;
const policy = {
  digest: 'abc',
  version: 7,
  evaluate: () => ({ decision: 'allow' as const, reason: 'ok', policyIds: [] }),
};
const context = {
  traceId: 't-1',
  timestamp: '2026-01-01T00:00:00.000Z',
  latencyMs: 0.4,
  inputHash: 'in',
  outputHash: 'out',
};

function decideWith(settings: GovernanceSettings) {
  return decide({ request, settings, policy, signals: neutralAgentSignals, screen: phraseScreener, now: 0 });
}

describe('the decision event', () => {
  it("carries Lelu's audit fields and what Gatehouse adds", () => {
    const decision = decideWith(defaultGovernanceSettings);
    expect(decisionEventFrom(request, decision, context)).toEqual({
      subject: 'agent',
      tenantId: 'acme',
      traceId: 't-1',
      timestamp: '2026-01-01T00:00:00.000Z',
      actor: 'bot',
      action: 'read_invoice',
      resource: { id: 'i-1' },
      confidenceScore: 0.6,
      decision: 'read_only',
      reason: 'confidence 0.6 is below the review gate 0.7: downgraded to read_only',
      downgradedScope: 'read_only',
      latencyMs: 0.4,
      inputHash: 'in',
      outputHash: 'out',
      policyDigest: 'abc',
      policyVersion: 7,
      shadowMode: false,
      reasonClass: 'confidence',
      riskScore: decision.risk.score,
      actingFor: 'user-1',
    });
  });

  it('records in shadow mode what enforcement would have done, not the allow sent', () => {
    const settings = governanceSettingsFrom({ ...defaultGovernanceSection, mode: 'shadow' });
    const decision = decideWith(settings);
    expect(decision.allowed).toBe(true);
    expect(decisionEventFrom(request, decision, context)).toMatchObject({
      decision: 'read_only',
      shadowMode: true,
      downgradedScope: 'read_only',
    });
  });
});
