import { createUsageRecordIdGenerator } from '../accounting/index.js';
import { configuredSecrets, createSecretScrubber, type Config } from '../config/index.js';
import { codecs as dialectCodecs, withScrubbedErrors } from '../dialects/index.js';
import { createTextMasker, type TextMasker } from '../guard/pii/index.js';
import { createRequestIdGenerator } from '../http/request-id.js';
import type { NotificationEvent } from '../notifications/index.js';
import type { StageSlots } from '../pipeline/index.js';
import type { Logger } from '../telemetry/index.js';
import { assembleAccounting } from './accounting-assembler.js';
import { assembleAudit } from './audit-assembler.js';
import { assembleAuditArchive } from './audit-archive-assembler.js';
import { assembleKeys, assembleLimits } from './access-assembler.js';
import { assembleOrUnwind, type Assembly } from './assembly.js';
import { assembleCaching } from './caching-assembler.js';
import { assembleAgentAreas } from './agent-assembler.js';
import { assembleHttp } from './http-assembler.js';
import { assembleNotifications } from './notifications-assembler.js';
import { assemblePipeline } from './pipeline-assembler.js';
import { assembleProviders, assembleRouting } from './routing-assembler.js';
import { assembleDatabase, assembleRedis } from './storage-assembler.js';
import { assembleMetrics, assembleTracing } from './telemetry-assembler.js';

export interface GatewayOptions {
  readonly config: Config;
  readonly masterKey: string;
  readonly logger: Logger;
  /**
   * The masker `logger` was created with (`createLogger`'s `mask`), so that what it masks is
   * counted in the metrics; the request log's messages are masked by it too. Without it the
   * gateway masks the request log with a masker of its own (and counts only that).
   */
  readonly logMasker?: TextMasker;
  /** Stages added from outside the areas below (an embedding application's, a test's), by slot. */
  readonly stages?: StageSlots;
}

export interface Gateway {
  /** Starts listening; resolves with the bound address (port 0 picks a free port). */
  listen(): Promise<{ url: string; port: number }>;
  /**
   * Graceful shutdown: readiness turns false, new connections are refused, requests and streams in
   * flight finish (up to the drain timeout), usage records are flushed, then everything is closed.
   */
  close(): Promise<void>;
  /** Re-reads the TLS certificate and key (SIGHUP); a no-op without TLS. */
  reloadTls(): Promise<void>;
  /**
   * Queues a notification for every channel that takes its kind (docs/notifications.md) and
   * returns at once; for an embedding application's own events, and for tests.
   */
  notify(event: NotificationEvent): void;
}

/**
 * The composition root: builds every component from the configuration, area by area. Each area's
 * assembler returns its parts (for the areas after it), readiness checks and a close function;
 * closing runs in reverse order of assembly, so the HTTP drain comes first and tracing last. A
 * start that fails half way closes what was opened so far.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger, masterKey } = options;
  // Built once: the credentials this process holds, taken out of every error a caller receives
  // (a provider may quote the key it was sent) and masked in the messages the request log keeps.
  const secrets = createSecretScrubber([...configuredSecrets(config), masterKey]);
  const codecs = withScrubbedErrors(dialectCodecs, secrets.redact);
  // Logs and traces always mask personal data and credentials (docs/pii.md); each place counts
  // what it masked once the metrics exist.
  const logMasker = options.logMasker ?? createTextMasker();
  const traceMasker = createTextMasker();
  // One of each per process: their ids are unique and ordered because every request draws from it.
  const newRequestId = createRequestIdGenerator();
  const newRecordId = createUsageRecordIdGenerator();

  const build = async (assembly: Assembly): Promise<Gateway> => {
    const tracing = assembly.add('tracing', assembleTracing(config, traceMasker.mask));
    const stores = assembly.add('database', await assembleDatabase(config, logger));
    const redis = assembly.add('redis', await assembleRedis(config, logger));
    const { providers, resolver } = assembly.add('providers', assembleProviders(config));
    const limiter = assembly.add('limits', assembleLimits({ config, redis, usage: stores.usage, logger }));
    const accounting = assembly.add(
      'accounting',
      assembleAccounting({ config, usage: stores.usage, providers, logger, newRecordId }),
    );
    const { usageWriter } = accounting;
    const audit = assembly.add('audit', assembleAudit({ config, store: stores.audit, logger }));
    const { metrics, authenticatedKeyIds, authenticatedAgentIds } = assembly.add(
      'metrics',
      assembleMetrics({ config, resolver, providers, usageWriter, auditWriter: audit.writer, limiter }),
    );
    logMasker.reportTo((type) => metrics.piiDetected(type, 'log'));
    traceMasker.reportTo((type) => metrics.piiDetected(type, 'trace'));
    const observer = metrics.routerObserver();
    const routing = assembly.add('routing', assembleRouting({ config, redis, resolver, codecs, observer }));
    const { router } = routing;
    const caching = assembly.add(
      'caching',
      await assembleCaching({ config, redis, metrics, logger, router }),
    );
    const keys = assembly.add(
      'keys',
      assembleKeys({
        config,
        store: stores.keys,
        masterKey,
        logger,
        authenticatedKeyIds,
        authenticatedAgentIds,
        events: audit.keyEvents,
      }),
    );
    assembly.add(
      'audit-archive',
      await assembleAuditArchive({ config, stores, keys: keys.keys, codec: codecs.openai, logger }),
    );
    // Before the areas that emit notifications (review items, guard detections, analytics alerts),
    // so they are closed first and what they sent last is still delivered.
    const { notifier } = assembly.add(
      'notifications',
      assembleNotifications({ config, keys: keys.keys, codec: codecs.openai, logger, metrics, secrets }),
    );
    const agents = await assembleAgentAreas(assembly, {
      config,
      stores,
      redis,
      keys: keys.keys,
      codec: codecs.openai,
      logger,
      metrics,
      tracing,
      audit: audit.trail,
      auditWriterId: audit.writerId,
      notify: (event) => notifier.notify(event),
    });
    if (options.stages !== undefined)
      assembly.add('extensions', { parts: undefined, stages: options.stages });
    const pipeline = assembly.add(
      'pipeline',
      assemblePipeline({
        stages: assembly.stages(),
        logger,
        // A provider's message in the request log: configured secrets shown as `sk-...abcd` (which
        // key it was), then every other credential and personal datum masked by kind.
        maskLogText: (text) => logMasker.mask(secrets.mask(text)),
        codecs,
        // Delegation grants work as their virtual key on the model routes when configured.
        keys: { ...keys, authenticator: agents.modelAuthenticator(keys.authenticator) },
        limiter,
        caching,
        accounting,
        routing,
        providers,
        metrics,
        tracing,
      }),
    );
    const http = assembly.add(
      'http',
      await assembleHttp({
        config,
        logger,
        pipeline,
        codecs,
        metrics,
        newRequestId,
        stores,
        caching,
        resolver,
        keys: keys.keys,
        status: {
          providers,
          breakers: routing.breakers,
          limiter,
          redis,
          usageWriter,
          auditWriter: audit.writer,
        },
        readiness: assembly.readinessChecks(),
        routes: assembly.routes(),
      }),
    );
    return {
      listen: http.listen,
      reloadTls: http.reloadTls,
      notify: (event) => notifier.notify(event),
      close: () => assembly.close(),
    };
  };
  return assembleOrUnwind(build, (error) =>
    logger.error({ err: error }, 'closing after a failed start failed'),
  );
}
