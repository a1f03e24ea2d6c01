import type { Logger } from '../telemetry/index.js';
import { createArgsScreener, type ArgsVerdict, type ScreenedFields } from './args-screener.js';
import { createGuardEvents, type Detection, type GuardAlert, type GuardObserver } from './guard-events.js';
import type { InjectionSettings } from './injection-settings.js';
import { createPromptGuard, type PromptGuard } from './prompt-guard.js';
import { createScanService, type ScanService } from './scan-service.js';
import { createScorer, type NamedDetector } from './scoring.js';

/** The guard's three uses of one detector: the model routes, agents' arguments, the scan routes. */

export interface InjectionGuardDependencies {
  readonly settings: InjectionSettings;
  readonly detector: NamedDetector;
  readonly logger: Logger;
  readonly observer: GuardObserver;
  /** Sends a high-severity detection to the notification channels; absent: none are sent. */
  readonly alert?: ((alert: GuardAlert) => void) | undefined;
  /** Records a model request refused for an injection (the audit log); absent: not recorded. */
  readonly blocked?: ((detection: Detection) => void) | undefined;
  /** Wall-clock milliseconds (the alerts' per-minute bound). */
  readonly now: () => number;
  /** A monotonic clock in milliseconds (scan latency). */
  readonly elapsed: () => number;
}

export interface InjectionGuard {
  /** Undefined when detection is disabled: the model routes then carry no guard stage at all. */
  readonly prompts: PromptGuard | undefined;
  readonly screenArgs: (fields: ScreenedFields) => ArgsVerdict;
  readonly scans: ScanService;
}

export function createInjectionGuard(dependencies: InjectionGuardDependencies): InjectionGuard {
  const { settings, logger, observer, elapsed } = dependencies;
  const { method } = dependencies.detector;
  const scorer = createScorer(dependencies.detector.detector);
  const events = createGuardEvents({
    settings: {
      alertEnabled: settings.alert.enabled,
      alertMinScore: settings.alert.minScore,
      alertMaxPerMinute: settings.alert.maxPerMinute,
    },
    logger,
    observer,
    alert: dependencies.alert,
    blocked: dependencies.blocked,
    now: dependencies.now,
  });
  const shared = { settings, scorer, method, events, observer, elapsed };
  return {
    prompts: settings.enabled ? createPromptGuard({ ...shared, logger }) : undefined,
    screenArgs: createArgsScreener(shared),
    scans: createScanService(shared),
  };
}
