import { describe, expect, it } from 'vitest';
import { emptyHead, type AuditRecord } from './audit-event.js';
import { entry } from './test-entries.js';
import { sealEntries } from './audit-hash.js';
import { verifyChain } from './chain-verifier.js';

function chain(length: number) {
  return sealEntries(
    emptyHead,
    Array.from({ length }, (_, index) => entry(index + 1)),
    1_000,
  );
}

function firstBad(records: readonly AuditRecord[], head = chain(10).head) {
  const result = verifyChain(records, undefined, head);
  return result.ok ? undefined : { seq: result.problem.seq, kind: result.problem.kind };
}

describe('chain verification', () => {
  it('accepts an intact chain and says where it ends', () => {
    const { records, head } = chain(10);
    expect(verifyChain(records, undefined, head)).toEqual({
      ok: true,
      checked: 10,
      last: { seq: 10, hash: head.hash },
    });
  });

  it('names the edited record', () => {
    const { records } = chain(10);
    const edited = records.map((record) => (record.seq === 4 ? { ...record, decision: 'deny' } : record));
    expect(firstBad(edited)).toEqual({ seq: 4, kind: 'edited' });
    const details = records.map((record) =>
      record.seq === 9 ? { ...record, details: { ...record.details, risk_score: 0.9 } } : record,
    );
    expect(firstBad(details)).toEqual({ seq: 9, kind: 'edited' });
  });

  it('names a deleted record, in the middle and at the end', () => {
    const { records } = chain(10);
    expect(firstBad(records.filter((record) => record.seq !== 6))).toEqual({ seq: 6, kind: 'missing' });
    expect(firstBad(records.slice(0, 8))).toEqual({ seq: 9, kind: 'missing' });
  });

  it('names an inserted record, hashed consistently or not', () => {
    const { records, head } = chain(10);
    const forged = {
      ...entry(99),
      seq: 5,
      recordedAt: 1_000,
      prevHash: records[3]!.hash,
      hash: 'e'.repeat(64),
    };
    const shifted = [
      ...records.slice(0, 4),
      forged,
      ...records.slice(4).map((record) => ({ ...record, seq: record.seq + 1 })),
    ];
    expect(firstBad(shifted, { ...head, seq: 11 })).toEqual({ seq: 5, kind: 'edited' });
    // Its own hash right: the record after it no longer follows.
    const resealed = sealEntries({ seq: 4, hash: records[3]!.hash, recordedAt: 1_000 }, [entry(99)], 1_000)
      .records[0]!;
    const inserted = [
      ...records.slice(0, 4),
      resealed,
      ...records.slice(4).map((record) => ({ ...record, seq: record.seq + 1 })),
    ];
    expect(firstBad(inserted, { ...head, seq: 11 })).toEqual({ seq: 6, kind: 'edited' });
  });

  it('names the first of two records swapped', () => {
    const { records } = chain(10);
    const swapped = records.map((record) =>
      record.seq === 3 ? { ...records[6]!, seq: 3 } : record.seq === 7 ? { ...records[2]!, seq: 7 } : record,
    );
    expect(firstBad(swapped)).toEqual({ seq: 3, kind: 'edited' });
    // Read back in stored order (seq values kept), the sequence itself is out of order.
    const reordered = [...records.slice(0, 2), records[3]!, records[2]!, ...records.slice(4)];
    expect(firstBad(reordered)).toEqual({ seq: 3, kind: 'missing' });
  });

  it('names a relinked record and one the head does not hold', () => {
    const { records, head } = chain(10);
    const relinked = records.map((record) =>
      record.seq === 2 ? { ...record, prevHash: 'd'.repeat(64) } : record,
    );
    expect(firstBad(relinked)).toEqual({ seq: 2, kind: 'edited' });
    expect(firstBad(records, { ...head, hash: 'd'.repeat(64) })).toEqual({ seq: 10, kind: 'head_mismatch' });
    expect(firstBad(records, { ...head, seq: 9 })).toEqual({ seq: 10, kind: 'beyond_head' });
  });

  it('checks a range from an anchor', () => {
    const { records } = chain(10);
    const anchor = { nextSeq: 5, prevHash: records[3]!.hash };
    expect(verifyChain(records.slice(4), anchor)).toMatchObject({ ok: true, checked: 6 });
    expect(verifyChain(records.slice(5), anchor)).toMatchObject({ ok: false, problem: { seq: 5 } });
  });
});
