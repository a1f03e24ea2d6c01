import { describe, expect, it } from 'vitest';
import { emptyHead } from '../audit-event.js';
import { sealEntries } from '../audit-hash.js';
import { entry } from '../test-entries.js';
import { exportLineOf, recordFromExportLine } from './audit-ndjson.js';
import {
  archiveKey,
  checkpointEntry,
  checkpointKey,
  checkpointObjectOf,
  parseCheckpointObject,
  retentionFactsOf,
  seqOfCheckpointKey,
} from './checkpoint-record.js';

describe('checkpoint records and object keys', () => {
  it('names objects so that keys sort in sequence order', () => {
    expect(checkpointKey(42)).toBe('checkpoints/0000000000000042.json');
    expect(archiveKey(1, 100_000)).toBe('archive/0000000000000001-0000000000100000.ndjson.gz');
    const keys = [9, 10, 100, 99].map(checkpointKey);
    expect(keys.toSorted().map(seqOfCheckpointKey)).toEqual([9, 10, 99, 100]);
    expect(seqOfCheckpointKey('checkpoints/42.json')).toBeUndefined();
    expect(seqOfCheckpointKey('archive/0000000000000042.json')).toBeUndefined();
  });

  it('chains a checkpoint like any record and keeps its facts in details', () => {
    const { records, head } = sealEntries(emptyHead, [entry(1), entry(2)], 1_000);
    const facts = { prunedFrom: 1, prunedThrough: 2, prunedThroughHash: head.hash, archive: null };
    const sealed = sealEntries(
      head,
      [checkpointEntry(head, 'retention', 'retention-2', 2_000, facts)],
      2_000,
    );
    const [checkpoint] = sealed.records;
    expect(checkpoint).toMatchObject({
      seq: 3,
      type: 'checkpoint',
      action: 'audit.retention',
      prevHash: records[1]!.hash,
      details: { trigger: 'retention', head_seq: 2, head_hash: head.hash, pruned_through: 2, archive: null },
    });
    expect(retentionFactsOf(checkpoint!)).toEqual(facts);
    expect(retentionFactsOf(records[0]!)).toBeUndefined();
    const kept = parseCheckpointObject(JSON.stringify(checkpointObjectOf(checkpoint!)));
    expect(kept).toMatchObject({ seq: 3, hash: checkpoint!.hash, event_id: 'retention-2' });
    expect(parseCheckpointObject('{"seq":"3"}')).toBeUndefined();
    expect(parseCheckpointObject('not json')).toBeUndefined();
  });

  it('reads an export line back as the record it was', () => {
    const { records } = sealEntries(emptyHead, [entry(1, { resource: null, confidenceScore: null })], 1_000);
    const line = exportLineOf(records[0]!);
    expect(line.endsWith('\n')).toBe(true);
    expect(recordFromExportLine(line.trimEnd())).toEqual(records[0]);
    expect(recordFromExportLine('{"seq":1}')).toBeUndefined();
    expect(
      recordFromExportLine(line.trimEnd().replace('"decision":"allow"', '"decision":7')),
    ).toBeUndefined();
  });
});
