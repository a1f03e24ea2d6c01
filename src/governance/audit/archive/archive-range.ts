import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { AuditStore } from '../audit-store.js';
import { createChainVerifier, type ChainAnchor } from '../chain-verifier.js';
import { ndjsonStream, recordFromExportLine, recordsOf } from './audit-ndjson.js';
import { archiveKey } from './checkpoint-record.js';
import { objectAddress, type AuditObjectStore } from './object-store.js';

/** A run of records to archive: `from`–`through`, following `anchor` (the record before `from`). */
export interface ArchiveRange {
  readonly from: number;
  readonly through: number;
  /** The hash of record `from - 1` (64 zeros for record 1): the first archived record's `prev_hash`. */
  readonly anchorHash: string;
  /** The hash of record `through` as the database holds it. */
  readonly throughHash: string;
}

export type ArchiveOutcome =
  | {
      readonly type: 'archived';
      readonly address: string;
      readonly records: number;
      readonly existed: boolean;
    }
  | { readonly type: 'refused'; readonly reason: string };

/**
 * Writes the range to `archive/<from>-<through>.ndjson.gz` (gzip NDJSON, streamed) unless that
 * object exists, then reads the object back and checks it: every line a record, in order, each
 * hashing to its hash and linking to the one before from the anchor, ending at `through` with the
 * database's hash of it. So the object holds exactly the records the database holds (the last hash
 * covers all before it), whether this call wrote it or an interrupted earlier run did. Only an
 * `archived` outcome lets the caller delete the rows. Errors of the object store are thrown.
 */
export async function archiveRange(
  store: Pick<AuditStore, 'read'>,
  objects: AuditObjectStore,
  range: ArchiveRange,
): Promise<ArchiveOutcome> {
  const key = archiveKey(range.from, range.through);
  const counter = { lines: 0 };
  const body = ndjsonStream(recordsOf(store, { fromSeq: range.from, toSeq: range.through }), {
    gzip: true,
    counter,
  });
  const put = await objects.putNew(key, body, 'application/gzip');
  const expected = range.through - range.from + 1;
  if (put === 'written' && counter.lines !== expected) {
    return refused(
      `the database gave ${counter.lines} records for ${range.from}–${range.through}, not ${expected}`,
    );
  }
  const problem = await checkArchived(objects, key, range);
  if (problem !== undefined) return refused(`${objectAddress(objects, key)}: ${problem}`);
  return {
    type: 'archived',
    address: objectAddress(objects, key),
    records: expected,
    existed: put === 'exists',
  };
}

function refused(reason: string): ArchiveOutcome {
  return { type: 'refused', reason };
}

/** Reads an archive object back and checks it holds the range; a problem's description, or undefined. */
export async function checkArchived(
  objects: AuditObjectStore,
  key: string,
  range: ArchiveRange,
): Promise<string | undefined> {
  const body = await objects.read(key);
  if (body === undefined) return 'the object is not there after it was written';
  const anchor: ChainAnchor = { nextSeq: range.from, prevHash: range.anchorHash };
  const verifier = createChainVerifier(anchor);
  const gunzip = createGunzip();
  // A failing download destroys the gunzip stream with its error, which the loop below then sees.
  pipeline(Readable.from(body), gunzip).catch(() => undefined);
  try {
    for await (const line of createInterface({ input: gunzip, crlfDelay: Infinity })) {
      if (line === '') continue;
      const record = recordFromExportLine(line);
      if (record === undefined) return `line ${verifier.checked + 1} is not an audit record`;
      const problem = verifier.check(record);
      if (problem !== undefined) return problem.message;
    }
  } catch (error) {
    gunzip.destroy();
    return `it could not be read back: ${error instanceof Error ? error.message : String(error)}`;
  }
  const last = verifier.last;
  if (last.seq !== range.through) return `it ends at record ${last.seq}, not ${range.through}`;
  if (last.hash !== range.throughHash) return `its record ${last.seq} differs from the database's`;
  return undefined;
}
