import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import type { Authorizer } from '../governance/index.js';
import { policyChangeAuditEvent, type AuditTrail } from '../governance/audit/index.js';
import { createPolicyHolder, createPolicyRegistry, type PolicyHolder } from '../governance/policies/index.js';
import { registerAuthorizeRoutes, registerPolicyRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import { createRedisPolicyChannel } from '../stores/redis/redis-policy-channel.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics, Tracing } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';
import { assembleAuthorizer, type AuthorizerNeeds } from './authorizer-assembler.js';
import { assembleDelegation, type DelegationParts } from './delegation-assembler.js';
import type { Authenticator } from '../pipeline/index.js';

export interface GovernanceNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly redis: RedisConnection | undefined;
  readonly keys: KeyService;
  /** Errors of the governance routes are written in the OpenAI dialect, like the admin API's. */
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  /** Queues a `human_review` answer (the review assembler's); absent: nothing is queued. */
  readonly queueReview?: AuthorizerNeeds['queueReview'];
  /** The confidence calibrator the gates use once it qualifies (the prediction assembler's). */
  readonly calibration?: AuthorizerNeeds['calibration'];
  /** Where decisions and policy changes are recorded. */
  readonly audit: AuditTrail;
  /** The guard's screener for agents' fields. */
  readonly screenArgs: AuthorizerNeeds['screenArgs'];
  /** Behavioural analytics: the risk score's signals, and where decisions are reported. */
  readonly analytics?: AuthorizerNeeds['analytics'] | undefined;
}

export interface GovernanceParts {
  /** The compiled Cedar policy in force on this replica. */
  readonly policies: PolicyHolder;
  /** The model routes' authenticator, accepting delegation grants when configured. */
  readonly modelAuthenticator: (base: Authenticator) => Authenticator;
  /** What decides for the agent routes, and for the tool firewall. */
  readonly authorizer: Authorizer;
  /** A presented grant token's grant, for the tool firewall (no use counted). */
  readonly resolveGrant: DelegationParts['resolveGrant'];
}

/**
 * Agent governance: the Cedar policy every replica holds (compiled once per version), following the
 * database — told of changes over Redis when there is one, else by polling it — and its routes.
 */
export async function assembleGovernance(needs: GovernanceNeeds): Promise<Contribution<GovernanceParts>> {
  const { stores, redis, logger } = needs;
  // Pub/sub channels are not key-prefixed by the client: the prefix goes into the channel name.
  const channel =
    redis !== undefined && redis.client instanceof Redis
      ? createRedisPolicyChannel(redis.client, `${redis.keyPrefix}policy`)
      : undefined;
  const holder = createPolicyHolder({
    store: stores.policies,
    channel,
    // 500 ms: a change is in force everywhere within a second, the query included.
    pollIntervalMs: channel === undefined ? 500 : 10_000,
    onError: (error, message) => logger.error({ err: error }, message),
  });
  const registry = createPolicyRegistry({
    store: stores.policies,
    events: {
      policyChanged(event) {
        logger.info({ event }, 'policy changed');
        needs.audit.append(policyChangeAuditEvent(event));
      },
    },
    onStored: (version) => holder.stored(version),
    now: Date.now,
  });
  holder.start(await registry.ensureInitial(needs.config.governance.policy.cedar));
  // `GET /v1/policy` shows the version in force on this replica, which is what decides here.
  const operations = { ...registry, current: () => Promise.resolve(holder.currentVersion()) };
  const authorizer = assembleAuthorizer({ ...needs, policies: holder });
  const delegation = assembleDelegation({ ...needs, policies: holder });
  return {
    parts: {
      policies: holder,
      modelAuthenticator: delegation.modelAuthenticator,
      authorizer: authorizer.authorizer,
      resolveGrant: delegation.resolveGrant,
    },
    close: async () => {
      await delegation.close();
      await authorizer.close();
      holder.stop();
      await channel?.close();
    },
    routes: [
      (app) => registerPolicyRoutes(app, { policies: operations, keys: needs.keys, codec: needs.codec }),
      (app) =>
        registerAuthorizeRoutes(app, {
          authorizer: authorizer.authorizer,
          keys: delegation.authorizeCallers,
          codec: needs.codec,
        }),
      ...delegation.routes,
    ],
  };
}
