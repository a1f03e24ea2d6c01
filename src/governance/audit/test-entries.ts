import { auditEntryOf, type AuditEntry } from './audit-event.js';

/** Test support (not used by the gateway): a decision's audit entry, numbered. */
export function entry(index: number, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    ...auditEntryOf(
      {
        type: 'decision',
        timestamp: new Date(Date.UTC(2026, 0, 1) + index).toISOString(),
        tenantId: 'acme',
        traceId: `trace-${index}`,
        actor: 'invoice-bot',
        action: 'approve_refund',
        resource: { invoice: `inv-${index}` },
        confidenceScore: 0.93,
        decision: 'allow',
        reason: 'confidence 0.93 at or above the allow gate 0.9',
        latencyMs: 0.42,
        inputHash: 'a'.repeat(64),
        outputHash: 'b'.repeat(64),
        policyDigest: 'c'.repeat(64),
        details: { subject: 'agent', risk_score: 0.05, acting_for: undefined },
      },
      `event-${index}`,
      0,
    ),
    ...overrides,
  };
}
