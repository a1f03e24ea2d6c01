import { z } from 'zod';
import { guardPiiSchema } from './guard-pii-schema.js';

/**
 * The `guard:` section: prompt-injection detection on the model routes, on agents' arguments and
 * behind the scan routes (docs/guard.md). Each level may set an action and a threshold; what it
 * leaves out comes from the next less specific one (key over model over route over the section).
 */

const unitInterval = z.number().min(0).max(1);
/** `off` checks nothing; `log` records a detection; `flag` also tells the caller; `block` refuses. */
const injectionAction = z.enum(['off', 'log', 'flag', 'block']);

const overrideSchema = z.strictObject({
  action: injectionAction.optional(),
  threshold: unitInterval.optional(),
});

const injectionSchema = z.strictObject({
  /** PROMPT_INJECTION_DETECTION_ENABLED: off, nothing is scored on the model routes or in agents' args. */
  enabled: z.boolean().default(true),
  action: injectionAction.default('log'),
  /** PROMPT_INJECTION_SEVERITY_THRESHOLD: a score at or above it is a detection. */
  threshold: unitInterval.default(0.8),
  /** When the detector itself fails: let the request through (`open`) or refuse it (`closed`). */
  fail_mode: z.enum(['open', 'closed']).default('open'),
  /**
   * Which messages of a chat request are scored: `latest_turn` (those after the last assistant
   * message: the new user input and tool results) or `all` (every user and tool message, each turn).
   */
  history: z.enum(['latest_turn', 'all']).default('latest_turn'),
  routes: z
    .strictObject({
      /** `POST /v1/chat/completions`. */
      chat_completions: overrideSchema.optional(),
      /** `POST /v1/messages`. */
      messages: overrideSchema.optional(),
      /**
       * `POST /v1/agent/authorize`: a detection in `action`, `resource` or `args` denies (`block`,
       * Lelu's behaviour, the default whatever `action` says), is only recorded (`log`), or is not
       * looked for (`off`).
       */
      agent_authorize: z
        .strictObject({
          action: z.enum(['off', 'log', 'block']).default('block'),
          threshold: unitInterval.optional(),
        })
        .prefault({}),
    })
    .prefault({}),
  /** By the model name callers send (exactly). */
  models: z.record(z.string().min(1), overrideSchema).default({}),
  /** `POST /v1/scan/input` and `/v1/scan/output`: the longest text they score (longer: 413). */
  max_scan_chars: z.number().int().positive().max(10_000_000).default(1_000_000),
  alert: z
    .strictObject({
      /** PROMPT_INJECTION_ALERT_ENABLED: notify the notification channels of high-severity detections. */
      enabled: z.boolean().default(false),
      /** The least score that is high severity. */
      min_score: unitInterval.default(0.9),
      /** Notifications per minute per replica at most; further detections are only logged and counted. */
      max_per_minute: z.number().int().positive().max(10_000).default(10),
    })
    .prefault({}),
});

export const guardSchema = z
  .strictObject({
    injection: injectionSchema.prefault({}),
    /** Personal data and credentials (docs/pii.md): redaction of requests and answers. */
    pii: guardPiiSchema,
  })
  .prefault({});

export type GuardConfig = z.output<typeof guardSchema>;
