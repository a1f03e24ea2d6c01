import { performance } from 'node:perf_hooks';
import type { Config } from '../config/index.js';
import type { DialectCodec } from '../dialects/index.js';
import type { AuditEvent, AuditTrail } from '../governance/audit/index.js';
import type { ArgsScreener } from '../governance/index.js';
import {
  createInjectionGuard,
  injectionSettingsFrom,
  loadInjectionDetector,
  phraseDetector,
  type Detection,
  type GuardAlert,
  type NamedDetector,
} from '../guard/index.js';
import { registerScanRoutes } from '../http/index.js';
import type { KeyService } from '../keys/index.js';
import type { NotificationEvent } from '../notifications/index.js';
import { createInputGuardStage } from '../pipeline/index.js';
import type { Logger, Metrics } from '../telemetry/index.js';
import type { Contribution } from './assembly.js';

export interface GuardNeeds {
  readonly config: Config;
  readonly keys: KeyService;
  /** The scan routes' errors are written in the OpenAI dialect, like the other agent routes'. */
  readonly codec: DialectCodec;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The notification channels: high-severity detections, when `guard.injection.alert` is on. */
  readonly notify: (event: NotificationEvent) => void;
  /** Where blocked model requests are recorded (`guard.blocked`). */
  readonly audit: AuditTrail;
}

export interface GuardParts {
  /** Governance's screening seam for agents' `action`, `resource` and `args`. */
  readonly screenArgs: ArgsScreener;
}

/**
 * The injection detector every check uses: the trained model (docs/guard.md, its weights ship in
 * `data/guard/model/`). Should the weights be missing or unreadable (a broken install), the guard
 * says so in the log and falls back to the phrase list (score 1 on a known override phrasing),
 * which the scan routes report as `method: "phrase"`, rather than leave the gateway down.
 */
export function injectionDetector(logger: Logger, load = loadInjectionDetector): NamedDetector {
  try {
    return { detector: load(), method: 'model' };
  } catch (error) {
    logger.error(
      { err: error },
      'the prompt-injection model could not be loaded; the guard uses the phrase list',
    );
    return { detector: phraseDetector, method: 'phrase' };
  }
}

function notification(alert: GuardAlert): NotificationEvent {
  return { kind: 'guard.detection', ...alert };
}

/** A blocked model request in the audit log: who (the key), what was refused and why; never the text. */
function blockedAuditEvent(detection: Detection): AuditEvent {
  const { route, model } = detection.context ?? {};
  return {
    type: 'guard.blocked',
    traceId: detection.requestId,
    actor: detection.keyId,
    action: route,
    resource: { model: model ?? '', field: detection.field },
    decision: 'block',
    reason: `prompt injection detected in ${detection.field} (${detection.source}, score ${detection.score.toFixed(2)})`,
    details: {
      request_id: detection.requestId,
      source: detection.source,
      score: detection.score,
      method: detection.method,
      ...(detection.agent === undefined ? {} : { agent: detection.agent }),
    },
  };
}

/**
 * The guard (docs/guard.md): the input guard stage on the model routes (absent when detection is
 * disabled, so the routes pay nothing), the screener governance decides agents' requests with,
 * and `POST /v1/scan/input|output`. Assembled before governance, which takes the screener.
 */
export function assembleGuard(needs: GuardNeeds): Contribution<GuardParts> {
  const { config, metrics, logger } = needs;
  const guard = createInjectionGuard({
    settings: injectionSettingsFrom(config.guard.injection),
    detector: injectionDetector(logger),
    logger,
    observer: metrics,
    alert: (alert) => needs.notify(notification(alert)),
    blocked: (detection) => needs.audit.append(blockedAuditEvent(detection)),
    now: Date.now,
    elapsed: () => performance.now(),
  });
  return {
    parts: { screenArgs: guard.screenArgs },
    stages: guard.prompts === undefined ? {} : { inputGuard: createInputGuardStage(guard.prompts) },
    routes: [(app) => registerScanRoutes(app, { scans: guard.scans, keys: needs.keys, codec: needs.codec })],
  };
}
