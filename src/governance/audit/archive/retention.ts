import type { AuditStore } from '../audit-store.js';
import type { AuditArchiveStore, RetentionAnchor } from './archive-stores.js';
import { archiveRange } from './archive-range.js';
import {
  checkpointEntry,
  checkpointObjectOf,
  retentionAction,
  retentionFactsOf,
  type RetentionFacts,
} from './checkpoint-record.js';
import { uploadCheckpoint } from './checkpointer.js';
import type { AuditObjectStore } from './object-store.js';

export interface RetentionSettings {
  /** Records appended longer ago than this are archived, then deleted. */
  readonly retentionDays: number;
  /** Records per archive object (and per retention checkpoint). */
  readonly recordsPerObject: number;
}

export interface RetentionDependencies {
  readonly store: AuditStore;
  readonly archive: AuditArchiveStore;
  /** Where archives go; undefined: records are deleted without an archive. */
  readonly objects: AuditObjectStore | undefined;
  readonly settings: RetentionSettings;
  readonly now: () => number;
  /** This process, as the holder of the retention lease. */
  readonly holder: string;
  /** Told of each range archived and deleted (for the log). */
  readonly onPruned?: (range: PrunedRange) => void;
}

export interface PrunedRange {
  readonly from: number;
  readonly through: number;
  readonly archive: string | null;
  readonly checkpointSeq: number;
}

export type PruneOutcome =
  /** Another process holds the retention lease (it is pruning now). */
  | { readonly type: 'busy' }
  | { readonly type: 'pruned'; readonly ranges: readonly PrunedRange[]; readonly anchor: RetentionAnchor }
  /** Nothing deleted from the range that failed (earlier ranges stay pruned). */
  | {
      readonly type: 'failed';
      readonly reason: string;
      readonly ranges: readonly PrunedRange[];
      readonly anchor: RetentionAnchor;
    };

const leaseName = 'audit-retention';
const dayMs = 86_400_000;
/** Long enough for one archive object to be written, read back and its rows deleted. */
const leaseMs = 15 * 60_000;

/**
 * Retention (docs/governance.md, "Retention"): the records appended before now − retention_days
 * are archived and deleted, oldest first, one range of at most `recordsPerObject` at a time. For each
 * range, in this order: the archive object is written and read back whole (`archiveRange`); a
 * retention checkpoint is appended to the log (naming the range, the last deleted record's hash and
 * the archive) and put in the object store; only then are the rows deleted, the anchor moving with
 * them. A failure at any step stops the run before the range's rows are touched. One process at a
 * time, by a lease in the database.
 */
export async function pruneAuditLog(dependencies: RetentionDependencies): Promise<PruneOutcome> {
  const { archive, holder, now } = dependencies;
  if (!(await archive.acquireLease(leaseName, holder, now(), leaseMs))) return { type: 'busy' };
  try {
    return await pruneRanges(dependencies);
  } finally {
    await archive.releaseLease(leaseName, holder);
  }
}

async function pruneRanges(dependencies: RetentionDependencies): Promise<PruneOutcome> {
  const { archive, settings, now } = dependencies;
  await finishInterruptedDeletion(archive);
  const cutoff = now() - settings.retentionDays * dayMs;
  const lastOld = await archive.lastSeqBefore(cutoff);
  const ranges: PrunedRange[] = [];
  let anchor = await archive.anchor();
  while (lastOld !== undefined && anchor.seq < lastOld) {
    const through = Math.min(lastOld, anchor.seq + settings.recordsPerObject);
    const step = await pruneRange(dependencies, anchor, through);
    if (typeof step === 'string') return { type: 'failed', reason: step, ranges, anchor };
    ranges.push(step);
    dependencies.onPruned?.(step);
    anchor = await archive.anchor();
    if (!(await archive.acquireLease(leaseName, dependencies.holder, now(), leaseMs))) {
      return {
        type: 'failed',
        reason: 'the retention lease was lost (another process took it over)',
        ranges,
        anchor,
      };
    }
  }
  return { type: 'pruned', ranges, anchor };
}

/** One range: archive, checkpoint, delete. A string says why it stopped before deleting. */
async function pruneRange(
  dependencies: RetentionDependencies,
  anchor: RetentionAnchor,
  through: number,
): Promise<PrunedRange | string> {
  const { store, archive, objects } = dependencies;
  const from = anchor.seq + 1;
  const [last] = await store.read({ fromSeq: through, toSeq: through, limit: 1 });
  if (last === undefined) return `record ${through} is missing: run gatehouse audit verify`;
  let address: string | null = null;
  if (objects !== undefined) {
    const outcome = await archiveRange(store, objects, {
      from,
      through,
      anchorHash: anchor.hash,
      throughHash: last.hash,
    });
    if (outcome.type === 'refused') return `records ${from}–${through} were not archived: ${outcome.reason}`;
    address = outcome.address;
  }
  const facts: RetentionFacts = {
    prunedFrom: from,
    prunedThrough: through,
    prunedThroughHash: last.hash,
    archive: address,
  };
  const checkpointSeq = await appendRetentionCheckpoint(dependencies, facts);
  if (objects !== undefined) {
    const [record] = await archive.query({
      fromSeq: checkpointSeq,
      toSeq: checkpointSeq,
      order: 'asc',
      limit: 1,
    });
    if (record === undefined) return `the retention checkpoint (record ${checkpointSeq}) cannot be read back`;
    await uploadCheckpoint(objects, checkpointObjectOf(record));
  }
  await archive.deleteThrough(through, last.hash);
  return { from, through, archive: address, checkpointSeq };
}

/**
 * A run that stopped while deleting (its range archived, checked and checkpointed) left the anchor
 * short of its retention checkpoint: the deletion is finished first, as that checkpoint says.
 */
async function finishInterruptedDeletion(archive: AuditArchiveStore): Promise<void> {
  const [latest] = await archive.query({
    type: 'checkpoint',
    action: retentionAction,
    order: 'desc',
    limit: 1,
  });
  const facts = latest === undefined ? undefined : retentionFactsOf(latest);
  if (facts === undefined) return;
  const anchor = await archive.anchor();
  if (anchor.seq < facts.prunedThrough)
    await archive.deleteThrough(facts.prunedThrough, facts.prunedThroughHash);
}

/**
 * Appends the range's retention checkpoint, or finds the one an interrupted run appended (its event
 * id is fixed by the range), and returns its sequence number.
 */
async function appendRetentionCheckpoint(
  dependencies: RetentionDependencies,
  facts: RetentionFacts,
): Promise<number> {
  const { store, archive, now } = dependencies;
  const eventId = `retention-${facts.prunedThrough}`;
  const head = await store.head();
  const result = await store.append([checkpointEntry(head, 'retention', eventId, now(), facts)]);
  if (result.appended === 1) return result.head.seq;
  const [existing] = await archive.query({
    type: 'checkpoint',
    action: retentionAction,
    eventId,
    order: 'desc',
    limit: 1,
  });
  if (existing === undefined)
    throw new Error(`retention checkpoint ${eventId} was neither appended nor found`);
  return existing.seq;
}
