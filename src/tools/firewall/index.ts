/**
 * The tool-call firewall: tool calls a model returns to a key bound to an agent are authorized
 * (governance's authorizer, passed in) before the caller receives them. docs/tool-firewall.md.
 */
export type {
  AuthorizeToolCall,
  AwaitReview,
  FirewallScope,
  ReviewResolution,
  ToolCallAuthorization,
  ToolCallQuestion,
} from './firewall-contract.js';
export { heldCallsHeader, removedCallsHeader } from './firewall-note.js';
export {
  firewallSettingsFrom,
  type FirewallConfigSection,
  type FirewallSettings,
  type OnDeny,
} from './firewall-settings.js';
export type { Frame } from './stream-pump.js';
export { toolCallSource } from './tool-call-judge.js';
export {
  verdictOutcomes,
  type FirewallObserver,
  type ModelToolCall,
  type ToolCallVerdict,
  type ToolCallVerdictEvent,
  type VerdictOutcome,
} from './tool-call-verdict.js';
export { createToolFirewall, type ReviewedJson, type ToolFirewall } from './tool-firewall.js';
