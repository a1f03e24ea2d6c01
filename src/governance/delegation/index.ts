/**
 * Delegation and grants (docs/governance.md, "Delegation and grants"): scoped, time-limited grants
 * agents pass on to each other, bounded in depth, swarm size and lifetime, revoked with everything
 * under them on every replica. The store and the revocation channel it needs are declared here and
 * implemented in stores/.
 */
export type { Grant, GrantRefusalReason } from './grant.js';
export {
  grantIdOf,
  grantTokenPrefix,
  isGrantId,
  looksLikeGrantToken,
  newGrantToken,
  tokenMatches,
  type GrantTokenMaterial,
} from './grant-token.js';
export { compileScopes, patternCovers, uncoveredScopes, type CompiledScopes } from './scope-algebra.js';
export type { GrantInsertResult, GrantRevocationChannel, GrantStore, RevokedGrant } from './grant-store.js';
export {
  createGrantRegistry,
  type ActiveGrant,
  type GrantRegistry,
  type GrantRegistryDependencies,
  type GrantResolution,
} from './grant-registry.js';
export { credentialRefusal } from './grant-refusals.js';
export {
  defaultDelegationSection,
  delegationSettingsFrom,
  type DelegationConfigSection,
  type DelegationSettings,
} from './delegation-settings.js';
export type { DelegationCaller } from './delegation-caller.js';
export {
  discardDelegationEvents,
  swarmOutcomes,
  type DelegationEvent,
  type DelegationEvents,
  type SwarmObserver,
  type SwarmOutcome,
} from './delegation-events.js';
export type {
  DelegationCall,
  DelegationOutcome,
  DelegationServiceDependencies,
  RefusalAnswer,
} from './delegation-dependencies.js';
export { createDelegationService, type DelegationService } from './delegation-service.js';
export type { DelegateAnswer } from './delegate-operation.js';
export type { MintAnswer } from './mint-operation.js';
export type { RevokeAnswer, RevokeOutcome } from './revoke-operation.js';
