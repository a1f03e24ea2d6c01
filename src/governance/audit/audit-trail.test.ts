import { describe, expect, it } from 'vitest';
import type { AuditEntry } from './audit-event.js';
import { auditEntryFromLine, auditLineCodec } from './audit-lines.js';
import { createAuditTrail } from './audit-trail.js';
import { entry } from './test-entries.js';

describe('the audit trail', () => {
  it('completes each event with an id and its time, absent fields as null', () => {
    const recorded: AuditEntry[] = [];
    let id = 0;
    const trail = createAuditTrail({
      record: (queued) => recorded.push(queued),
      newEventId: () => `event-${++id}`,
      now: () => Date.UTC(2026, 0, 2),
    });
    trail.append({ type: 'key.revoked', actor: 'master', resource: { key_id: 'key_1', name: 'a' } });
    expect(recorded).toEqual([
      expect.objectContaining({
        eventId: 'event-1',
        type: 'key.revoked',
        timestamp: '2026-01-02T00:00:00.000Z',
        actor: 'master',
        tenantId: null,
        confidenceScore: null,
        details: {},
      }),
    ]);
  });

  it('never throws on the request path, and reports the failure', () => {
    const failures: unknown[] = [];
    const trail = createAuditTrail({
      record: () => {
        throw new Error('queue broken');
      },
      newEventId: () => 'x',
      now: Date.now,
      onError: (error) => failures.push(error),
    });
    expect(() => trail.append({ type: 'decision' })).not.toThrow();
    expect(failures).toHaveLength(1);
  });
});

describe('audit entries on disk', () => {
  it('read back as written', () => {
    const written = entry(3);
    expect(auditEntryFromLine(auditLineCodec.toLine(written))).toEqual(
      JSON.parse(JSON.stringify(written)) as unknown,
    );
  });

  it('refuse lines that are not entries', () => {
    const line = (changes: Record<string, unknown>) => JSON.stringify({ ...entry(1), ...changes });
    for (const bad of [
      '{"eventId":"e1","type":"decision","timest',
      line({ eventId: '' }),
      line({ type: 'made.up' }),
      line({ resource: { invoice: 7 } }),
      line({ confidenceScore: 'high' }),
      line({ actor: 42 }),
      line({ details: [] }),
      '[]',
    ])
      expect(auditEntryFromLine(bad)).toBeUndefined();
  });
});
