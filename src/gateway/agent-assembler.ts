import type { NotificationEvent } from '../notifications/index.js';
import type { Authenticator } from '../pipeline/index.js';
import { assembleAnalytics } from './analytics-assembler.js';
import type { Assembly } from './assembly.js';
import { assembleFirewall } from './firewall-assembler.js';
import { assembleGovernance, type GovernanceNeeds } from './governance-assembler.js';
import { assembleGuard } from './guard-assembler.js';
import { assemblePii } from './pii-assembler.js';
import { assemblePrediction } from './prediction-assembler.js';
import { assembleReview } from './review-assembler.js';

/** What the agent half is built from: the shared parts assembled before it. */
export interface AgentAreasNeeds extends Omit<
  GovernanceNeeds,
  'queueReview' | 'screenArgs' | 'calibration' | 'analytics'
> {
  readonly notify: (event: NotificationEvent) => void;
  /** The writer part of this process's audit event ids (analytics skips its own decisions in the log). */
  readonly auditWriterId: string | undefined;
}

export interface AgentAreas {
  /** Wraps the model routes' authenticator so that delegation grants work there when configured. */
  readonly modelAuthenticator: (base: Authenticator) => Authenticator;
}

/**
 * The agent half, one assembler and one line per area, in this order: analytics and the prediction
 * models (the review queue, the gates and the risk score read them; decisions and resolutions are
 * reported to them), the review queue, the guard (its screener decides part of governance's
 * answer), governance (it decides for the tools), the tool firewall, then tools, conversations.
 * Each sees the parts above; the pipeline and the HTTP app take the stages, routes and readiness
 * checks they add.
 */
export async function assembleAgentAreas(assembly: Assembly, needs: AgentAreasNeeds): Promise<AgentAreas> {
  const analytics = assembly.add('analytics', await assembleAnalytics(needs));
  const prediction = assembly.add('prediction', assemblePrediction(needs));
  const review = assembly.add(
    'review',
    await assembleReview({ ...needs, advisor: prediction.advisor, onResolved: analytics.reviewResolved }),
  );
  const guard = assembly.add('guard', assembleGuard(needs));
  const governance = assembly.add(
    'governance',
    await assembleGovernance({
      ...needs,
      queueReview: review.queueReview,
      screenArgs: guard.screenArgs,
      calibration: prediction.calibration,
      analytics,
    }),
  );
  assembly.add(
    'firewall',
    assembleFirewall({
      ...needs,
      authorizer: governance.authorizer,
      resolveGrant: governance.resolveGrant,
      queue: review.queue,
    }),
  );
  assembly.add('guard-pii', assemblePii(needs));
  return { modelAuthenticator: governance.modelAuthenticator };
}
