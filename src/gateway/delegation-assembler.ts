import { timeOrderedUuid } from '../durable/index.js';
import { Redis } from 'ioredis';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import {
  createDelegationService,
  createGrantRegistry,
  delegationSettingsFrom,
  type DelegationEvents,
  type DelegationService,
  type GrantRegistry,
  type SwarmObserver,
} from '../governance/delegation/index.js';
import { delegationAuditEvent, type AuditTrail } from '../governance/audit/index.js';
import type { PolicyHolder } from '../governance/policies/index.js';
import { registerDelegationRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import type { Authenticator } from '../pipeline/index.js';
import { createRedisGrantChannel } from '../stores/redis/redis-grant-channel.js';
import type { RedisConnection } from '../stores/redis/redis-client.js';
import type { SqlStores } from '../stores/sql/index.js';
import type { Logger, Metrics, Tracing } from '../telemetry/index.js';
import type { RouteRegistration } from './assembly.js';
import { authorizeCallers, delegationCallers, modelAuthenticator } from './delegation-callers.js';

export interface DelegationNeeds {
  readonly config: Config;
  readonly stores: SqlStores;
  readonly redis: RedisConnection | undefined;
  readonly keys: KeyService;
  readonly policies: PolicyHolder;
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracing: Tracing;
  /** Where delegations, mints and revocations are recorded. */
  readonly audit: AuditTrail;
}

export interface DelegationParts {
  readonly service: DelegationService;
  /** The authorize routes' callers: keys, and grants presented as the credential. */
  readonly authorizeCallers: ReturnType<typeof authorizeCallers>;
  /** Wraps the model routes' authenticator so that grants work there when `llm_routes` is on. */
  readonly modelAuthenticator: (base: Authenticator) => Authenticator;
  /**
   * A presented token's grant, as the registry knows it, without counting a use: the tool firewall
   * looks again at the grant a model request was authenticated with.
   */
  readonly resolveGrant: GrantRegistry['resolve'];
  readonly routes: readonly RouteRegistration[];
  close(): Promise<void>;
}

/**
 * Delegation events: an audit record and a log line each (grant ids, never tokens), and a count
 * of delegation requests by delegator, delegatee and outcome.
 */
function recordedEvents(logger: Logger, audit: AuditTrail, metrics: Metrics): DelegationEvents {
  return {
    emit(event) {
      audit.append(delegationAuditEvent(event));
      logger.info({ event }, 'delegation event');
      if (event.type === 'delegation')
        metrics.delegated(event.delegator ?? 'unknown', event.delegatee ?? 'unknown', event.outcome);
    },
  };
}

function meteredSwarms(metrics: Metrics): SwarmObserver {
  return {
    swarmJoined: (agents) => metrics.swarmJoined(agents),
    swarmOperation: (outcome) => metrics.swarmOperation(outcome),
  };
}

/**
 * Delegation and grants: the grants this replica knows (following revocations made anywhere, over
 * Redis when there is one, else by polling the database every 500 ms, so a revocation is in force
 * everywhere within a second), the service, its routes, and the views of a presented grant the
 * authorize and model routes use. Part of the governance area.
 */
export function assembleDelegation(needs: DelegationNeeds): DelegationParts {
  const { redis, logger } = needs;
  const settings = delegationSettingsFrom(needs.config.governance.delegation);
  // Pub/sub channels are not key-prefixed by the client: the prefix goes into the channel name.
  const channel =
    redis !== undefined && redis.client instanceof Redis
      ? createRedisGrantChannel(redis.client, `${redis.keyPrefix}grants`)
      : undefined;
  const registry = createGrantRegistry({
    store: needs.stores.grants,
    channel,
    pollIntervalMs: channel === undefined ? 500 : 10_000,
    now: Date.now,
    onError: (error, message) => logger.error({ err: error }, message),
  });
  registry.start();
  const service = createDelegationService({
    settings,
    store: needs.stores.grants,
    registry,
    policy: () => needs.policies.current(),
    events: recordedEvents(logger, needs.audit, needs.metrics),
    observer: meteredSwarms(needs.metrics),
    tracing: needs.tracing,
    now: Date.now,
    newTraceId: () => timeOrderedUuid(),
  });
  const callers = delegationCallers(service, needs.keys);
  return {
    service,
    authorizeCallers: authorizeCallers(service, needs.keys),
    modelAuthenticator: (base) => modelAuthenticator(base, service, needs.keys, settings.llmRoutes),
    resolveGrant: (token) => registry.resolve(token),
    routes: [(app) => registerDelegationRoutes(app, { delegation: service, callers, codec: needs.codec })],
    async close() {
      await registry.stop();
      await channel?.close();
    },
  };
}
