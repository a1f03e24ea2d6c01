import type { DelegateAnswer } from './delegate-operation.js';
import { delegate } from './delegate-operation.js';
import type { DelegationCaller } from './delegation-caller.js';
import type {
  DelegationCall,
  DelegationOutcome,
  DelegationServiceDependencies,
} from './delegation-dependencies.js';
import type { GrantResolution } from './grant-registry.js';
import { refusalOutcome } from './grant-refusals.js';
import { mint, type MintAnswer } from './mint-operation.js';
import { revoke, type RevokeOutcome } from './revoke-operation.js';

/**
 * Delegation and grants (docs/governance.md, "Delegation and grants"): minting, delegating and
 * revoking grants, and resolving a grant presented as a credential. It serves no HTTP and stores
 * no rows itself; everything it touches is a parameter.
 */
export interface DelegationService {
  delegate(call: DelegationCall): Promise<DelegationOutcome<DelegateAnswer>>;
  mint(call: DelegationCall): Promise<DelegationOutcome<MintAnswer>>;
  revoke(call: { readonly tokenId: string; readonly caller: DelegationCaller }): Promise<RevokeOutcome>;
  /**
   * A token presented as the credential (to the agent routes, or to the model routes when
   * configured), counted in `gatehouse_swarm_operations_total` by what it came to.
   */
  present(token: string): GrantResolution | Promise<GrantResolution>;
}

export function createDelegationService(dependencies: DelegationServiceDependencies): DelegationService {
  const counted = (resolution: GrantResolution): GrantResolution => {
    const outcome =
      resolution.type === 'active'
        ? 'used'
        : resolution.type === 'refused'
          ? refusalOutcome(resolution.reason)
          : undefined;
    if (outcome !== undefined) dependencies.observer.swarmOperation(outcome);
    return resolution;
  };
  return {
    delegate: (call) => delegate(dependencies, call),
    mint: (call) => mint(dependencies, call),
    revoke: (call) => revoke(dependencies, call),
    present(token) {
      const resolution = dependencies.registry.resolve(token);
      return resolution instanceof Promise ? resolution.then(counted) : counted(resolution);
    },
  };
}
