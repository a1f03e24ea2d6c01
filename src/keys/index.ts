/** Virtual keys: their format, authentication (with the master key), tiers, and administration. */
export type { AdminResult, CreatedKey, KeyAdministration } from './key-administration.js';
export type { AuthenticationResult, KeyAuthenticator, KeyLogger } from './key-authenticator.js';
export type { KeyChangeEvent, KeyChangeEvents } from './key-events.js';
export {
  generateKeyMaterial,
  hashKey,
  isWellFormedKey,
  isWellFormedKeyId,
  type KeyMaterial,
  type RandomBytes,
} from './key-format.js';
export type { ClearIntervalFunction, SetIntervalFunction } from './key-refresh.js';
export { createKeyService, type KeyService, type KeyServiceOptions } from './key-service.js';
export { keySettingsFromConfig, type KeyConfiguration, type KeySettings } from './key-settings.js';
export { limitMaxima } from './key-validation.js';
export { keyView, type KeyView } from './key-view.js';
export { mayUseModel, matchesPattern, modelNotAllowedError } from './model-patterns.js';
export { presentedKey, type RequestHeaders } from './presented-key.js';
export type { Principal, PrincipalLimits } from './principal.js';
export { builtInTiers, mergeTiers, resolveLimits, type TierLimits } from './tiers.js';
export type {
  BudgetPeriod,
  InsertResult,
  KeyBudget,
  KeyLimits,
  KeyPatch,
  KeyRole,
  KeyStore,
  StoredKey,
} from './types.js';
