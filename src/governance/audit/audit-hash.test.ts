import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../canonical-json.js';
import { emptyHead, genesisHash } from './audit-event.js';
import { canonicalRecordText, hashedBody, sealEntries } from './audit-hash.js';
import { entry } from './test-entries.js';

/** RFC 8785 for JSON.parse values, written apart from the gateway's, as a verifier would. */
function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([name, member]) => `${JSON.stringify(name)}:${jcs(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('audit record hashing', () => {
  it('writes the same canonical text as generic RFC 8785 for any record', () => {
    const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));
    const nullable = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: null });
    const number = fc.double({ noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(
        fc.record({
          seq: fc.nat(),
          recordedAt: fc.nat(),
          prevHash: text,
          tenantId: nullable(text),
          reason: nullable(text),
          confidenceScore: nullable(number),
          latencyMs: nullable(number),
          resource: nullable(fc.dictionary(text, text)),
          details: fc.dictionary(
            fc.oneof(text, fc.nat().map(String), fc.constant('__proto__')),
            fc.jsonValue(),
          ),
        }),
        (fields) => {
          const record = { ...entry(1), ...fields };
          const body = hashedBody(record);
          const parsed = JSON.parse(JSON.stringify(body)) as unknown;
          expect(canonicalRecordText(record)).toBe(canonicalJson(body));
          expect(canonicalRecordText(record)).toBe(jcs(parsed));
        },
      ),
    );
  });

  it('orders member names that are array indices, and keeps one named __proto__', () => {
    const details = JSON.parse('{"10":1,"9":2,"__proto__":{"b":1,"a":[{"2":0,"1":0}]},"a":true}') as Record<
      string,
      unknown
    >;
    const record = { ...entry(1), details, seq: 1, recordedAt: 0, prevHash: '' };
    expect(canonicalRecordText(record)).toBe(canonicalJson(hashedBody(record)));
    expect(canonicalRecordText(record)).toContain(
      '"details":{"10":1,"9":2,"__proto__":{"a":[{"1":0,"2":0}],"b":1},"a":true}',
    );
  });

  it('chains: numbered from the head, each hash over its body with the previous hash', () => {
    const sealed = sealEntries(emptyHead, [entry(1), entry(2), entry(3)], 1_000);
    expect(sealed.records.map((record) => record.seq)).toEqual([1, 2, 3]);
    expect(sealed.records[0]?.prevHash).toBe(genesisHash);
    for (const [index, record] of sealed.records.entries()) {
      if (index > 0) expect(record.prevHash).toBe(sealed.records[index - 1]?.hash);
      const { hash, ...rest } = record;
      const text = jcs(JSON.parse(JSON.stringify(hashedBody(rest))));
      expect(hash).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      // Undefined members are left out, as JSON leaves them out.
      expect(record.details).toEqual({ subject: 'agent', risk_score: 0.05 });
    }
    expect(sealed.head).toEqual({ seq: 3, hash: sealed.records[2]?.hash, recordedAt: 1_000 });
    const next = sealEntries(sealed.head, [entry(4)], 2_000);
    expect(next.records[0]).toMatchObject({ seq: 4, prevHash: sealed.head.hash, recordedAt: 2_000 });
  });

  it('never stamps a record earlier than the head, whatever this replica’s clock says', () => {
    const head = { seq: 7, hash: 'f'.repeat(64), recordedAt: 5_000 };
    const sealed = sealEntries(head, [entry(8)], 4_000);
    expect(sealed.records[0]?.recordedAt).toBe(5_000);
  });
});
