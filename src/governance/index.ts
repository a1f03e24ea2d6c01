/**
 * Agent governance: decides whether an agent may act (ARCHITECTURE.md, "Agent governance"). It
 * serves no HTTP and stores no rows; the routes, stores and analytics reach it through the seams
 * exported here.
 */
export * from './contract.js';
export * from './decisions/index.js';
export {
  authorizeRequestLimits,
  confidenceProviders,
  validateAuthorizeRequest,
  type AuthorizeRequest,
  type AuthorizeRequestOptions,
  type AuthorizeRequestValidation,
  type ConfidenceProvider,
  type ConfidenceSignal,
} from './authorize-request.js';
export {
  decisionEventFrom,
  discardDecisionEvents,
  type DecisionEvent,
  type DecisionEventContext,
  type DecisionEvents,
} from './events.js';
export {
  defaultGovernanceSettings,
  governanceSettingsFrom,
  type ActionCatalog,
  type ActionEntry,
  type AgentSettings,
  type EnforcementMode,
  type Gates,
  type GovernanceConfigSection,
  type GovernanceSettings,
  type MissingConfidenceMode,
  type PartialGates,
} from './governance-settings.js';
export {
  createAuthorizer,
  type Authorizer,
  type AuthorizerDependencies,
  type AuthorizeCall,
  type AuthorizeOutcome,
  type DecisionObserver,
} from './authorizer.js';
export { agentAnswerOf, outputHash, type AgentAuthorizeAnswer } from './agent-answer.js';
export type { UserAuthorizeAnswer } from './user-authorizer.js';
export { canonicalHash, canonicalJson } from './canonical-json.js';
