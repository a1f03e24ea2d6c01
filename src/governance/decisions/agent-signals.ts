/**
 * What behavioural analytics tells a decision about the agent asking. Synchronous: the analytics
 * module keeps these figures in memory and refreshes them in the background, so a decision never
 * waits on a store.
 */
export interface AgentSignals {
  /** How often the agent's actions turned out right, in [0, 1]; 1 when nothing is known. */
  reliability(tenantId: string, actor: string): number;
  /** How unusual the agent's current behaviour is, ≥ 1 (a multiplier of risk); 1 when normal or unknown. */
  anomalyFactor(tenantId: string, actor: string): number;
}

/** Until analytics exists: every agent reliable and behaving normally, so risk is criticality × doubt. */
export const neutralAgentSignals: AgentSignals = Object.freeze({
  reliability: () => 1,
  anomalyFactor: () => 1,
});
