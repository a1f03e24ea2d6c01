import type { AuditStore } from '../audit-store.js';
import { verifyAuditLog, type AuditLogVerification, type AuditSelection } from '../audit-verification.js';
import type { AuditArchiveStore, RetentionAnchor } from './archive-stores.js';
import { verifyCheckpoints, verifyRetention, type ArchiveProblem } from './archive-verification.js';
import type { AuditObjectStore } from './object-store.js';

export interface TrailVerificationDependencies {
  readonly store: AuditStore;
  readonly archive: AuditArchiveStore;
  /** The object store holding checkpoints; undefined: the log is checked on its own. */
  readonly objects: AuditObjectStore | undefined;
}

export type TrailVerification =
  | {
      readonly ok: true;
      readonly chain: Extract<AuditLogVerification, { ok: true }>;
      readonly anchor: RetentionAnchor;
      /** Undefined without an object store. */
      readonly checkpoints:
        | { readonly compared: number; readonly archived: number; readonly latest: number | undefined }
        | undefined;
    }
  | {
      readonly ok: false;
      /** Which check failed: the chain's own links, retention's account, or the outside checkpoints. */
      readonly check: 'chain' | 'retention' | 'checkpoints';
      readonly problem: ArchiveProblem;
    };

/**
 * Everything `gatehouse audit verify` checks, in order: the hash chain (from the retention anchor
 * when old records were archived and deleted), the anchor against the latest retention checkpoint,
 * and, with an object store, the log against every checkpoint kept there (which detects a table
 * rewritten consistently, hashes recomputed). A range selection checks the chain in that range only;
 * retention and checkpoints are always checked whole.
 */
export async function verifyAuditTrail(
  dependencies: TrailVerificationDependencies,
  selection: AuditSelection,
): Promise<TrailVerification> {
  const { store, archive, objects } = dependencies;
  const anchor = await archive.anchor();
  const chain = await verifyAuditLog(store, { ...selection, retained: anchor });
  if (!chain.ok) return { ok: false, check: 'chain', problem: chain.problem };
  const retention = await verifyRetention(archive, anchor);
  if (retention !== undefined) return { ok: false, check: 'retention', problem: retention };
  if (objects === undefined) return { ok: true, chain, anchor, checkpoints: undefined };
  const checkpoints = await verifyCheckpoints(store, objects, anchor, await store.head());
  if (!checkpoints.ok) return { ok: false, check: 'checkpoints', problem: checkpoints.problem };
  const { compared, archived, latest } = checkpoints;
  return { ok: true, chain, anchor, checkpoints: { compared, archived, latest } };
}
