import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import type { AuditTrail } from '../governance/audit/index.js';
import type { KeyService } from '../keys/index.js';
import type { NotificationEvent } from '../notifications/index.js';
import type { Authenticator } from '../pipeline/index.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics, Tracing } from '../telemetry/index.js';
import type { Assembly } from './assembly.js';
import { assembleGovernance } from './governance-assembler.js';
import { assembleReview } from './review-assembler.js';

/** What the agent half is built from: the shared parts assembled before it. */
export interface AgentAreasNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly redis: RedisConnection | undefined;
  readonly keys: KeyService;
  /** Errors of the agent routes are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  readonly audit: AuditTrail;
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
  return { modelAuthenticator: governance.modelAuthenticator };
}
