/**
 * Delegation settings, as the configuration's `governance.delegation` section gives them
 * (declared structurally: governance does not import config/).
 */
export interface DelegationConfigSection {
  readonly max_depth: number;
  readonly max_swarm_size: number;
  /** Milliseconds (the schema converts `30s` and the like). */
  readonly swarm_operation_timeout: number;
  readonly confidence_floor: number;
  readonly llm_routes: boolean;
}

export interface DelegationSettings {
  /** Grants in one chain, the root included (`MAX_DELEGATION_DEPTH`). */
  readonly maxDepth: number;
  /** Distinct agents in one swarm (`MAX_SWARM_SIZE`). */
  readonly maxSwarmSize: number;
  /** A swarm's lifetime from its root's creation (`SWARM_OPERATION_TIMEOUT`). */
  readonly swarmTimeoutMs: number;
  /** The least `confidence` a delegation request may carry; 0 asks for none. */
  readonly confidenceFloor: number;
  /** Grants bound to a virtual key work as that key on the model routes. */
  readonly llmRoutes: boolean;
}

export function delegationSettingsFrom(section: DelegationConfigSection): DelegationSettings {
  return Object.freeze({
    maxDepth: section.max_depth,
    maxSwarmSize: section.max_swarm_size,
    swarmTimeoutMs: section.swarm_operation_timeout,
    confidenceFloor: section.confidence_floor,
    llmRoutes: section.llm_routes,
  });
}

/** An empty `governance.delegation:` section as the schema fills it in. */
export const defaultDelegationSection: DelegationConfigSection = {
  max_depth: 5,
  max_swarm_size: 10,
  swarm_operation_timeout: 30_000,
  confidence_floor: 0.9,
  llm_routes: false,
};
