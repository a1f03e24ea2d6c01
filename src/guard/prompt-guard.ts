import { GatewayError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { Logger } from '../telemetry/index.js';
import type { ScoredSource } from './detector/detector-contract.js';
import type { GuardEvents, GuardObserver } from './guard-events.js';
import { createPolicyResolver, guardHeader, keyActionOf } from './injection-policy.js';
import { keyActionMetadata, type InjectionAction, type InjectionSettings } from './injection-settings.js';
import { visitPromptTexts, type PromptSource, type TextPath } from './prompt-texts.js';
import type { Scorer } from './scoring.js';

/**
 * The guard on the model routes: scores the texts of a chat request that matter (the new user
 * input and tool results, decision 0017) and returns what the request stage does with it. A clean
 * request costs the walk and one detector call per text; with the action `off` nothing is walked.
 */

type Headers = Readonly<Record<string, string | string[] | undefined>>;

export interface PromptRequest {
  readonly dialect: Dialect;
  readonly body: Readonly<Record<string, unknown>>;
  /** The model name the caller sent. */
  readonly model: string;
  readonly headers: Headers;
  readonly requestId: string;
  readonly keyId: string;
  readonly keyMetadata: Readonly<Record<string, string>>;
  readonly agent: string | undefined;
}

export type PromptVerdict =
  /** `header`: the `x-gatehouse-guard` value the response carries (a flag), if any. */
  | { readonly type: 'pass'; readonly header: string | undefined }
  | { readonly type: 'refuse'; readonly error: GatewayError };

export interface PromptGuard {
  inspect(request: PromptRequest): PromptVerdict;
}

export interface PromptGuardDependencies {
  readonly settings: InjectionSettings;
  readonly scorer: Scorer;
  /** How the detector is named in log lines (`model`, `phrase`). */
  readonly method: string;
  readonly events: GuardEvents;
  readonly observer: GuardObserver;
  readonly logger: Logger;
  /** A monotonic clock in milliseconds, for the scan latency. */
  readonly elapsed: () => number;
}

const pass: PromptVerdict = Object.freeze({ type: 'pass', header: undefined });
const routePaths = { openai: '/v1/chat/completions', anthropic: '/v1/messages' } as const;
/** Keys whose metadata entry was reported as invalid; bounded, so it cannot grow for ever. */
const maxReportedKeys = 1_000;

const guardUnavailable = new GatewayError(
  'service_unavailable',
  'The prompt-injection guard could not check this request, and it refuses what it cannot check (guard.injection.fail_mode: closed); retry later.',
);

export function guardHeaderValue(
  outcome: 'flagged' | 'blocked',
  score: number,
  source: ScoredSource,
): string {
  return `${outcome}; score=${score.toFixed(2)}; source=${source}`;
}

function sourceWords(source: PromptSource): string {
  return source === 'tool_result' ? 'a tool result' : 'user input';
}

function blockedError(found: Found, threshold: number, header: string): GatewayError {
  return new GatewayError(
    'prompt_injection_detected',
    `Prompt injection detected in ${found.field} (${sourceWords(found.source)}, score ${found.score.toFixed(2)} at or above ${threshold}); the request was not sent to the model.`,
    { param: found.field, headers: { [guardHeader]: header } },
  );
}

interface Found {
  readonly score: number;
  readonly pattern: string | undefined;
  readonly source: PromptSource;
  readonly field: string;
}

export function createPromptGuard(dependencies: PromptGuardDependencies): PromptGuard {
  const { settings, scorer, events, observer, logger, elapsed } = dependencies;
  const reportedKeys = new Set<string>();
  const resolvePolicy = createPolicyResolver(settings);

  function keyAction(request: PromptRequest): InjectionAction | undefined {
    const action = keyActionOf(request.keyMetadata[keyActionMetadata]);
    if (action !== 'invalid') return action;
    if (!reportedKeys.has(request.keyId)) {
      if (reportedKeys.size >= maxReportedKeys) reportedKeys.clear();
      reportedKeys.add(request.keyId);
      logger.warn(
        { key_id: request.keyId },
        `the key's metadata entry ${keyActionMetadata} is not off, log, flag or block; the configured action applies`,
      );
    }
    return undefined;
  }

  /** The first text at or above the threshold; reports the highest score seen either way. */
  function scan(request: PromptRequest, threshold: number): Found | undefined {
    let found: Found | undefined;
    let highest = -1;
    let highestSource: PromptSource = 'input';
    const started = elapsed();
    try {
      visitPromptTexts(request.body, request.dialect, settings.history, (text, source, path: TextPath) => {
        const { score, pattern } = scorer(text, source);
        if (score > highest) {
          highest = score;
          highestSource = source;
        }
        if (score < threshold) return false;
        found = { score, pattern, source, field: path() };
        return true;
      });
    } finally {
      observer.guardScanned('request', Math.max(0, elapsed() - started) / 1000);
    }
    if (highest >= 0) observer.guardScored(highestSource, highest);
    return found;
  }

  return {
    inspect(request) {
      const route = request.dialect === 'anthropic' ? 'messages' : 'chat_completions';
      const resolution = resolvePolicy({
        route,
        model: request.model,
        keyAction: keyAction(request),
        requested: request.headers[guardHeader],
      });
      if (!resolution.ok) return { type: 'refuse', error: resolution.error };
      const { action, threshold } = resolution.policy;
      if (action === 'off') return pass;
      let found: Found | undefined;
      try {
        found = scan(request, threshold);
      } catch (error) {
        events.failed('request', settings.failMode, error, request.requestId);
        return settings.failMode === 'open' ? pass : { type: 'refuse', error: guardUnavailable };
      }
      if (found === undefined) return pass;
      events.detected({
        check: 'request',
        source: found.source,
        action,
        score: found.score,
        field: found.field,
        pattern: found.pattern,
        method: dependencies.method,
        context: { route: routePaths[request.dialect], model: request.model },
        requestId: request.requestId,
        keyId: request.keyId,
        agent: request.agent,
      });
      switch (action) {
        case 'log':
          return pass;
        case 'flag':
          return { type: 'pass', header: guardHeaderValue('flagged', found.score, found.source) };
        case 'block':
          return {
            type: 'refuse',
            error: blockedError(found, threshold, guardHeaderValue('blocked', found.score, found.source)),
          };
        default: {
          const unreachable: never = action;
          return unreachable;
        }
      }
    },
  };
}
