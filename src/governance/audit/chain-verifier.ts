import { genesisHash, type AuditHead, type AuditRecord } from './audit-event.js';
import { recomputedHash } from './audit-hash.js';

/**
 * Chain verification as a pure function over records in sequence order. The first problem found
 * names the first record that is not as it was appended:
 *
 * - `missing`: a sequence number is absent (a record deleted), or the chain ends before its head;
 * - `edited`: a record's contents do not hash to its `hash` (a field changed, or the record moved
 *   to another sequence number: `seq` is hashed too);
 * - `unlinked`: its `prev_hash` is not the previous record's hash (a record inserted or replaced,
 *   hashes recomputed);
 * - `out_of_order`: a sequence number again or going back;
 * - `beyond_head`: a record after the head the chain records (inserted at the end);
 * - `head_mismatch`: the last record is not the one the head records.
 *
 * Without an outside anchor (a checkpoint kept elsewhere) a chain proves only that nobody changed
 * it without recomputing every later hash: someone able to rewrite the whole table and its head
 * can forge a consistent history. Checkpoints are what detect that.
 */
export type ChainProblemKind =
  'missing' | 'edited' | 'unlinked' | 'out_of_order' | 'beyond_head' | 'head_mismatch';

export interface ChainProblem {
  readonly kind: ChainProblemKind;
  /** The first bad sequence number. */
  readonly seq: number;
  readonly message: string;
}

/** Where checking starts: the first sequence number expected and the hash it must follow. */
export interface ChainAnchor {
  readonly nextSeq: number;
  readonly prevHash: string;
}

export const chainStart: ChainAnchor = Object.freeze({ nextSeq: 1, prevHash: genesisHash });

export interface ChainVerifier {
  /** Checks the next record; the first problem is kept, and every later call returns it. */
  check(record: AuditRecord): ChainProblem | undefined;
  /** Checks that the chain ends at `head` (call after the last record). */
  finish(head: AuditHead): ChainProblem | undefined;
  /** Records checked and found good. */
  readonly checked: number;
  /** The last good record's number and hash (the anchor when none). */
  readonly last: { readonly seq: number; readonly hash: string };
}

function problemWith(record: AuditRecord, expected: ChainAnchor): ChainProblem | undefined {
  const { seq } = record;
  if (seq > expected.nextSeq) {
    const through = seq - 1 === expected.nextSeq ? '' : `–${seq - 1}`;
    return {
      kind: 'missing',
      seq: expected.nextSeq,
      message: `record ${expected.nextSeq}${through} missing (deleted?): the next record present is ${seq}`,
    };
  }
  if (seq < expected.nextSeq) {
    return {
      kind: 'out_of_order',
      seq,
      message: `record ${seq} appears again or out of order after record ${expected.nextSeq - 1}`,
    };
  }
  if (recomputedHash(record) !== record.hash) {
    return {
      kind: 'edited',
      seq,
      message: `record ${seq} was changed: its contents no longer hash to its stored hash`,
    };
  }
  if (record.prevHash !== expected.prevHash) {
    const before =
      seq === 1
        ? 'the start of the chain (its prev_hash must be 64 zeros)'
        : `record ${seq - 1} (its prev_hash must be that record's hash)`;
    return {
      kind: 'unlinked',
      seq,
      message: `record ${seq} does not follow ${before}: a record was inserted here, or the one before replaced with its hash recomputed`,
    };
  }
  return undefined;
}

export function createChainVerifier(anchor: ChainAnchor = chainStart): ChainVerifier {
  let expected = anchor;
  let checked = 0;
  let found: ChainProblem | undefined;
  return {
    check(record) {
      if (found !== undefined) return found;
      found = problemWith(record, expected);
      if (found === undefined) {
        checked += 1;
        expected = { nextSeq: record.seq + 1, prevHash: record.hash };
      }
      return found;
    },
    finish(head) {
      if (found !== undefined) return found;
      const lastSeq = expected.nextSeq - 1;
      if (head.seq > lastSeq) {
        found = {
          kind: 'missing',
          seq: lastSeq + 1,
          message: `record ${lastSeq + 1}${head.seq > lastSeq + 1 ? `–${head.seq}` : ''} missing (deleted?): the chain's head is record ${head.seq}`,
        };
      } else if (head.seq < lastSeq) {
        found = {
          kind: 'beyond_head',
          seq: head.seq + 1,
          message: `record ${head.seq + 1} is past the chain's head (record ${head.seq}): added outside Gatehouse`,
        };
      } else if (head.seq > 0 && head.hash !== expected.prevHash) {
        found = {
          kind: 'head_mismatch',
          seq: head.seq,
          message: `record ${head.seq} is not the record the chain's head holds (its hash differs)`,
        };
      }
      return found;
    },
    get checked() {
      return checked;
    },
    get last() {
      return { seq: expected.nextSeq - 1, hash: expected.prevHash };
    },
  };
}

export type ChainVerification =
  | { readonly ok: true; readonly checked: number; readonly last: { seq: number; hash: string } }
  | { readonly ok: false; readonly problem: ChainProblem };

/** Verifies records in sequence order from `anchor`; with `head`, also that they end there. */
export function verifyChain(
  records: Iterable<AuditRecord>,
  anchor: ChainAnchor = chainStart,
  head?: AuditHead,
): ChainVerification {
  const verifier = createChainVerifier(anchor);
  for (const record of records) {
    const problem = verifier.check(record);
    if (problem !== undefined) return { ok: false, problem };
  }
  const problem = head === undefined ? undefined : verifier.finish(head);
  return problem === undefined
    ? { ok: true, checked: verifier.checked, last: verifier.last }
    : { ok: false, problem };
}
