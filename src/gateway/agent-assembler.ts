import type { NotificationEvent } from '../notifications/index.js';
import type { Authenticator } from '../pipeline/index.js';
import { assembleAnalytics } from './analytics-assembler.js';
import type { Assembly } from './assembly.js';
import { assembleGovernance, type GovernanceNeeds } from './governance-assembler.js';
import { assembleReview } from './review-assembler.js';

/** What the agent half is built from: the shared parts assembled before it. */
export interface AgentAreasNeeds extends Omit<GovernanceNeeds, 'queueReview' | 'analytics'> {
  readonly notify: (event: NotificationEvent) => void;
  /** The writer part of this process's audit event ids (analytics skips its own decisions in the log). */
  readonly auditWriterId: string | undefined;
}

export interface AgentAreas {
  /** Wraps the model routes' authenticator so that delegation grants work there when configured. */
  readonly modelAuthenticator: (base: Authenticator) => Authenticator;
}

/**
 * The agent half, one assembler and one line per area, in this order: analytics (the review queue
 * and the decisions report to it), the review queue, governance (it decides for the guard and the
 * tools), then guard, tools, conversations. Each sees the parts above; the pipeline and the HTTP
 * app take the stages, routes and readiness checks they add.
 */
export async function assembleAgentAreas(assembly: Assembly, needs: AgentAreasNeeds): Promise<AgentAreas> {
  const analytics = assembly.add('analytics', await assembleAnalytics(needs));
  const review = assembly.add(
    'review',
    await assembleReview({ ...needs, onResolved: analytics.reviewResolved }),
  );
  const governance = assembly.add(
    'governance',
    await assembleGovernance({ ...needs, queueReview: review.queueReview, analytics }),
  );
  return { modelAuthenticator: governance.modelAuthenticator };
}
