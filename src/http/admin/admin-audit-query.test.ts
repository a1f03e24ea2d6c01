import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuditQuery } from './admin-audit-query.js';

const types = ['decision', 'checkpoint'];

describe('parseAuditQuery', () => {
  it('turns a cursor into the next sequence bound in either order', () => {
    expect(parseAuditQuery({ cursor: '50', limit: '10' }, types)).toMatchObject({
      ok: true,
      filter: { order: 'desc', toSeq: 49, limit: 10 },
    });
    expect(parseAuditQuery({ cursor: '50', order: 'asc', from_seq: '70' }, types)).toMatchObject({
      ok: true,
      filter: { order: 'asc', fromSeq: 70, limit: 100 },
    });
    expect(
      parseAuditQuery({ from: '2026-01-01', to: '2026-01-01', type: 'checkpoint' }, types),
    ).toMatchObject({
      ok: true,
      filter: { fromTime: Date.UTC(2026, 0, 1), toTime: Date.UTC(2026, 0, 2), type: 'checkpoint' },
    });
  });

  it('never throws: any query is a filter or a 400 naming a parameter', () => {
    const names = fc.constantFrom(
      'from',
      'to',
      'from_seq',
      'to_seq',
      'type',
      'tenant_id',
      'actor',
      'cursor',
      'limit',
      'order',
      'x',
    );
    const values = fc.oneof(fc.string(), fc.nat().map(String), fc.array(fc.string(), { maxLength: 2 }));
    fc.assert(
      fc.property(fc.dictionary(names, values), (query) => {
        const parsed = parseAuditQuery(query, types);
        if (parsed.ok) {
          expect(parsed.filter.limit).toBeGreaterThanOrEqual(1);
          expect(parsed.filter.limit).toBeLessThanOrEqual(1_000);
        } else {
          expect(parsed.error.status).toBe(400);
          expect(parsed.error.param).toBeTypeOf('string');
        }
      }),
    );
  });
});
