/** Cedar policies: parsed once per version into the snapshot every replica holds, versioned in a store. */
export { parsePolicyText, type ParsedPolicy, type PolicyTextParse } from './cedar-policy-text.js';
export { cedarDecimal, resourceKey, toCedarRequest, toCedarValue } from './cedar-values.js';
export { createPolicyHolder, type PolicyHolder, type PolicyHolderDependencies } from './policy-holder.js';
export type { PolicyChangeEvent, PolicyEventSink } from './policy-events.js';
export {
  createPolicyRegistry,
  maxPolicyBytes,
  type PolicyChangeOptions,
  type PolicyChangeResult,
  type PolicyRegistry,
  type PolicyRegistryDependencies,
  type PolicyValidation,
} from './policy-registry.js';
export { compilePolicy, policyDigest, type PolicyCompilation } from './policy-snapshot.js';
export type {
  NewPolicyVersion,
  PolicyAppendResult,
  PolicyChangeChannel,
  PolicyStore,
  PolicyVersion,
  PolicyVersionSummary,
} from './policy-store.js';
