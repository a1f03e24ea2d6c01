/**
 * The audit trail (ARCHITECTURE.md, "Agent governance"): every decision and administrative change
 * appended to one hash-chained log. The request path only queues (`AuditTrail.append`); the durable
 * writer (src/durable/) batches off it; the store (stores/sql) seals each batch onto the chain's
 * head inside its transaction; `verifyAuditLog` checks the chain.
 */
export {
  auditEntryOf,
  auditEventTypes,
  emptyHead,
  genesisHash,
  isAuditEventType,
  type AuditEntry,
  type AuditEvent,
  type AuditEventType,
  type AuditHead,
  type AuditRecord,
} from './audit-event.js';
export {
  canonicalRecordText,
  hashedBody,
  hashOf,
  recomputedHash,
  sealEntries,
  type HashedBody,
  type UnsealedRecord,
} from './audit-hash.js';
export { auditEntryFromLine, auditLineCodec } from './audit-lines.js';
export type { AuditAppendResult, AuditRange, AuditStore } from './audit-store.js';
export {
  createAuditTrail,
  disabledAuditTrail,
  type AuditTrail,
  type AuditTrailDependencies,
} from './audit-trail.js';
export {
  chainStart,
  createChainVerifier,
  verifyChain,
  type ChainAnchor,
  type ChainProblem,
  type ChainProblemKind,
  type ChainVerification,
  type ChainVerifier,
} from './chain-verifier.js';
export { verifyAuditLog, type AuditLogVerification, type AuditSelection } from './audit-verification.js';
export {
  decisionAuditEvent,
  delegationAuditEvent,
  policyChangeAuditEvent,
  reviewAuditEvent,
} from './governance-events.js';
export { keyChangeAuditEvent, type KeyChange } from './admin-events.js';
export { auditSettingsFrom, type AuditConfiguration, type AuditSettings } from './audit-settings.js';
export * from './archive/index.js';
