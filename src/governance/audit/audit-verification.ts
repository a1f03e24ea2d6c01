import type { AuditHead } from './audit-event.js';
import type { AuditRange, AuditStore } from './audit-store.js';
import {
  chainStart,
  createChainVerifier,
  type ChainAnchor,
  type ChainProblem,
  type ChainVerifier,
} from './chain-verifier.js';

/** Which part of the log to verify: sequence numbers (inclusive) or times (from inclusive, to exclusive). */
export interface AuditSelection {
  readonly fromSeq?: number | undefined;
  readonly toSeq?: number | undefined;
  readonly fromTime?: number | undefined;
  readonly toTime?: number | undefined;
}

export type AuditLogVerification =
  | {
      readonly ok: true;
      /** Records checked. */
      readonly checked: number;
      /** The first and last checked (undefined when the selection holds none). */
      readonly first: number | undefined;
      readonly last: { readonly seq: number; readonly hash: string } | undefined;
      /** Whether the check ran to the chain's head (no upper bound given). */
      readonly toHead: boolean;
    }
  | { readonly ok: false; readonly problem: ChainProblem; readonly checked: number };

type Upper = Pick<AuditRange, 'toSeq' | 'toTime'>;

/**
 * Verifies the log in the database page by page (constant memory). Without bounds, the whole chain
 * from record 1, its end against the head, and that nothing lies beyond the head. With bounds, the
 * records in range and that the first follows the stored hash of the record before it; a range does
 * not check the records outside it, so a record deleted after its upper end is found only by a
 * whole check.
 */
export async function verifyAuditLog(
  store: AuditStore,
  selection: AuditSelection,
  pageSize = 1_000,
): Promise<AuditLogVerification> {
  const bounded = selection.toSeq !== undefined || selection.toTime !== undefined;
  const head = await store.head();
  const start = await startOf(store, selection);
  if (start === 'empty') return { ok: true, checked: 0, first: undefined, last: undefined, toHead: !bounded };
  if ('kind' in start) return { ok: false, problem: start, checked: 0 };
  const verifier = createChainVerifier(start);
  const upper: Upper = bounded ? { toSeq: selection.toSeq, toTime: selection.toTime } : { toSeq: head.seq };
  let problem = await checkPages(store, verifier, start.nextSeq, upper, selection.fromTime, pageSize);
  if (problem === undefined && !bounded) problem = await checkToHead(store, verifier, head, pageSize);
  if (problem !== undefined) return { ok: false, problem, checked: verifier.checked };
  const { checked } = verifier;
  return {
    ok: true,
    checked,
    first: checked === 0 ? undefined : start.nextSeq,
    last: checked === 0 ? undefined : verifier.last,
    toHead: !bounded,
  };
}

/**
 * The end of the chain: the last record is the head's, and nothing lies beyond it. Records appended
 * meanwhile (the head moved) are checked too, until the head stands still between two reads; a row
 * read before a head that has not moved past it was never part of an append (each append moves the
 * head in the transaction that inserts its rows).
 */
async function checkToHead(
  store: AuditStore,
  verifier: ChainVerifier,
  initial: AuditHead,
  pageSize: number,
): Promise<ChainProblem | undefined> {
  for (let head = initial; ;) {
    const [beyond] = await store.read({ fromSeq: head.seq + 1, limit: 1 });
    const latest = await store.head();
    if (latest.seq === head.seq) {
      return verifier.finish(head) ?? (beyond === undefined ? undefined : beyondHead(beyond.seq, head));
    }
    const from = verifier.last.seq + 1;
    head = latest;
    const problem = await checkPages(store, verifier, from, { toSeq: head.seq }, undefined, pageSize);
    if (problem !== undefined) return problem;
  }
}

function beyondHead(seq: number, head: AuditHead): ChainProblem {
  return {
    kind: 'beyond_head',
    seq,
    message: `record ${seq} is past the chain's head (record ${head.seq}): added outside Gatehouse`,
  };
}

/** The anchor of the selection's first record: the chain's start, or the stored record before it. */
async function startOf(
  store: AuditStore,
  selection: AuditSelection,
): Promise<ChainAnchor | ChainProblem | 'empty'> {
  let firstSeq = selection.fromSeq ?? 1;
  if (selection.fromTime !== undefined) {
    const [first] = await store.read({ ...selection, limit: 1 });
    if (first === undefined) return 'empty';
    firstSeq = Math.max(firstSeq, first.seq);
  }
  if (firstSeq <= 1) return chainStart;
  const [previous] = await store.read({ fromSeq: firstSeq - 1, toSeq: firstSeq - 1, limit: 1 });
  if (previous === undefined) {
    return {
      kind: 'missing',
      seq: firstSeq - 1,
      message: `record ${firstSeq - 1} missing (deleted?): the range's first record cannot be linked to it`,
    };
  }
  return { nextSeq: firstSeq, prevHash: previous.hash };
}

async function checkPages(
  store: AuditStore,
  verifier: ChainVerifier,
  fromSeq: number,
  upper: Upper,
  fromTime: number | undefined,
  pageSize: number,
): Promise<ChainProblem | undefined> {
  for (let cursor = fromSeq; ;) {
    const page = await store.read({ ...upper, fromSeq: cursor, fromTime, limit: pageSize });
    for (const record of page) {
      const problem = verifier.check(record);
      if (problem !== undefined) return problem;
    }
    const last = page.at(-1);
    if (last === undefined || page.length < pageSize) return undefined;
    cursor = last.seq + 1;
  }
}
