import type { NotificationEvent } from '../notifications/index.js';
import type { Authenticator } from '../pipeline/index.js';
import type { Assembly } from './assembly.js';
import { assembleGovernance, type GovernanceNeeds } from './governance-assembler.js';
import { assemblePii } from './pii-assembler.js';
import { assembleReview } from './review-assembler.js';

/** What the agent half is built from: the shared parts assembled before it. */
export interface AgentAreasNeeds extends Omit<GovernanceNeeds, 'queueReview'> {
  readonly notify: (event: NotificationEvent) => void;
}

export interface AgentAreas {
  /** Wraps the model routes' authenticator so that delegation grants work there when configured. */
  readonly modelAuthenticator: (base: Authenticator) => Authenticator;
}

/**
 * The agent half, one assembler and one line per area, in this order: the review queue, governance
 * (it decides for the guard and the tools), then guard, tools, conversations. Each sees the parts
 * above; the pipeline and the HTTP app take the stages, routes and readiness checks they add.
 */
export async function assembleAgentAreas(assembly: Assembly, needs: AgentAreasNeeds): Promise<AgentAreas> {
  const review = assembly.add('review', await assembleReview(needs));
  const governance = assembly.add(
    'governance',
    await assembleGovernance({ ...needs, queueReview: review.queueReview }),
  );
  assembly.add('guard-pii', assemblePii(needs));
  return { modelAuthenticator: governance.modelAuthenticator };
}
