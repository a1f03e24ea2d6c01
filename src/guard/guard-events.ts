import type { Logger } from '../telemetry/index.js';
import type { ScoredSource } from './detector/detector-contract.js';

/**
 * What the guard reports: one log line per detection (never the text), the metrics, and for
 * high-severity detections a notification, at most `maxPerMinute` per replica so that an attack
 * (or a misbehaving detector) does not flood the channels.
 */

/** Where the guard looked: a model route's request, an agent's arguments, a scan route. */
export type GuardCheck = 'request' | 'args' | 'scan';
/** What became of a detection; `report` is the scan routes' (the caller decides). */
export type DetectionAction = 'log' | 'flag' | 'block' | 'report';

/** Metrics, declared here so the guard depends on no concrete registry (telemetry's Metrics fits). */
export interface GuardObserver {
  guardDetected(source: ScoredSource, action: DetectionAction): void;
  /** The highest score of a check (a request, an agent's fields, a scanned text). */
  guardScored(source: ScoredSource, score: number): void;
  guardScanned(check: GuardCheck, seconds: number): void;
  guardFailed(check: GuardCheck, outcome: 'failed_open' | 'failed_closed'): void;
}

/** A notification's content: names and figures only (the notifications module's GuardDetection). */
export interface GuardAlert {
  readonly severity: 'high' | 'critical';
  readonly detected: 'prompt injection';
  readonly where: string;
  readonly action: 'logged' | 'flagged' | 'blocked' | 'denied';
  readonly score: number;
  readonly requestId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly agent?: string | undefined;
}

export interface Detection {
  readonly check: GuardCheck;
  readonly source: ScoredSource;
  readonly action: DetectionAction;
  readonly score: number;
  /** The field path of the text (`messages[3].content`, `args.note`), never the text. */
  readonly field: string;
  readonly pattern: string | undefined;
  readonly method: string;
  /** The route or model, for people: `tool_result in messages[3].content on /v1/messages (claude)`. */
  readonly context: { readonly route?: string; readonly model?: string } | undefined;
  readonly requestId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly agent?: string | undefined;
}

export interface GuardEventsSettings {
  readonly alertEnabled: boolean;
  readonly alertMinScore: number;
  readonly alertMaxPerMinute: number;
}

export interface GuardEvents {
  detected(detection: Detection): void;
  failed(check: GuardCheck, failMode: 'open' | 'closed', error: unknown, requestId?: string): void;
}

const alertedActions: Readonly<Record<DetectionAction, GuardAlert['action'] | undefined>> = {
  log: 'logged',
  flag: 'flagged',
  block: 'blocked',
  report: undefined,
};

/** Above this a detection is `critical` rather than `high`. */
const criticalScore = 0.98;
const minuteMs = 60_000;

export function createGuardEvents(dependencies: {
  readonly settings: GuardEventsSettings;
  readonly logger: Logger;
  readonly observer: GuardObserver;
  readonly alert: ((alert: GuardAlert) => void) | undefined;
  /** A model request refused for an injection: the audit log's `guard.blocked` record. */
  readonly blocked: ((detection: Detection) => void) | undefined;
  readonly now: () => number;
}): GuardEvents {
  const { settings, logger, observer, alert } = dependencies;
  let windowStart = Number.NEGATIVE_INFINITY;
  let sentInWindow = 0;

  function describeWhere(detection: Detection): string {
    const source = detection.source === 'tool_result' ? 'tool result' : detection.source;
    const { route, model } = detection.context ?? {};
    const on = route === undefined ? '' : ` on ${route}${model === undefined ? '' : ` (model ${model})`}`;
    return `${source} in ${detection.field}${on}`;
  }

  function maybeAlert(detection: Detection): void {
    const action =
      detection.check === 'args' && detection.action === 'block'
        ? 'denied'
        : alertedActions[detection.action];
    if (alert === undefined || !settings.alertEnabled || action === undefined) return;
    if (detection.score < settings.alertMinScore) return;
    const now = dependencies.now();
    if (now - windowStart >= minuteMs) {
      windowStart = now;
      sentInWindow = 0;
    }
    if (sentInWindow >= settings.alertMaxPerMinute) return;
    sentInWindow += 1;
    alert({
      severity: detection.score >= criticalScore ? 'critical' : 'high',
      detected: 'prompt injection',
      where: describeWhere(detection),
      action,
      score: detection.score,
      requestId: detection.requestId,
      keyId: detection.keyId,
      agent: detection.agent,
    });
  }

  return {
    detected(detection) {
      observer.guardDetected(detection.source, detection.action);
      logger.warn(
        {
          guard: {
            check: detection.check,
            source: detection.source,
            action: detection.action,
            score: detection.score,
            field: detection.field,
            method: detection.method,
            ...(detection.pattern === undefined ? {} : { pattern: detection.pattern }),
            ...detection.context,
          },
          ...(detection.requestId === undefined ? {} : { request_id: detection.requestId }),
          ...(detection.keyId === undefined ? {} : { key_id: detection.keyId }),
          ...(detection.agent === undefined ? {} : { agent: detection.agent }),
        },
        'prompt injection detected',
      );
      if (detection.check === 'request' && detection.action === 'block') dependencies.blocked?.(detection);
      maybeAlert(detection);
    },
    failed(check, failMode, error, requestId) {
      observer.guardFailed(check, failMode === 'open' ? 'failed_open' : 'failed_closed');
      logger.error(
        {
          err: error,
          guard: { check, fail_mode: failMode },
          ...(requestId === undefined ? {} : { request_id: requestId }),
        },
        failMode === 'open'
          ? 'the injection detector failed; the request goes on unchecked (fail_mode open)'
          : 'the injection detector failed; the request is refused (fail_mode closed)',
      );
    },
  };
}
