import { GatewayError } from '../errors/index.js';
import type { ScoredSource } from './detector/detector-contract.js';
import type { GuardEvents, GuardObserver } from './guard-events.js';
import type { InjectionSettings } from './injection-settings.js';
import type { Scorer } from './scoring.js';

/**
 * `POST /v1/scan/input {input}` and `POST /v1/scan/output {output, actor?, action?, resource?}`
 * (Lelu's contract for output, ours for input): the caller asks whether a text is an injection and
 * decides itself. Like Lelu, unknown fields are ignored and `null` or `""` counts as absent; what
 * is not text is a 400 naming the field. A detector that fails is a 503: answering `safe` for a
 * text nobody checked would be a lie, whatever `fail_mode` says for the model routes.
 */

export interface ScanAnswer {
  readonly safe: boolean;
  readonly detected: boolean;
  /** The highest score, or the first at or above the threshold. */
  readonly score: number;
  /** Where that score was: `input`, `output`, `action` or `resource.<key>`. */
  readonly source: string;
  /** Which detector answered: `model` (the trained one) or `phrase` (the stand-in). */
  readonly method: string;
  /** The phrase that matched, when the detector names one and it detected. */
  readonly pattern?: string;
}

export type ScanOutcome =
  | { readonly type: 'answered'; readonly answer: ScanAnswer }
  | { readonly type: 'rejected'; readonly error: GatewayError };

export interface ScanCaller {
  readonly keyId: string;
  readonly requestId: string;
}

export interface ScanService {
  scanInput(body: unknown, caller: ScanCaller): ScanOutcome;
  scanOutput(body: unknown, caller: ScanCaller): ScanOutcome;
}

export interface ScanServiceDependencies {
  readonly settings: InjectionSettings;
  readonly scorer: Scorer;
  readonly method: string;
  readonly events: GuardEvents;
  readonly observer: GuardObserver;
  readonly elapsed: () => number;
}

interface Text {
  readonly text: string;
  /** As the answer's `source` names it. */
  readonly field: string;
  readonly source: ScoredSource;
}

const detectorFailed = new GatewayError(
  'service_unavailable',
  'The injection detector failed to score this text; retry later.',
);

/** A field's problem, before anything is scored. */
class FieldProblem {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** A text field: the text, undefined when absent (`null`, `""`), or its problem. */
function textField(body: Record<string, unknown>, field: string): string | undefined | FieldProblem {
  const value = Object.hasOwn(body, field) ? body[field] : undefined;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string')
    return new FieldProblem(field, `${field} must be a string, got ${kindOf(value)}.`);
  return value;
}

function requiredText(body: unknown, field: 'input' | 'output'): Text | FieldProblem {
  if (!isRecord(body))
    return new FieldProblem(field, `The body must be a JSON object with ${field}, got ${kindOf(body)}.`);
  const text = textField(body, field);
  if (text === undefined) return new FieldProblem(field, `${field} is required (a non-empty string).`);
  if (text instanceof FieldProblem) return text;
  return { text, field, source: field };
}

/** The output's companions: `action` and the values of `resource`, scored as an agent's fields. */
function outputCompanions(
  body: Record<string, unknown>,
): { texts: Text[]; actor: string | undefined } | FieldProblem {
  const actor = textField(body, 'actor');
  if (actor instanceof FieldProblem) return actor;
  const action = textField(body, 'action');
  if (action instanceof FieldProblem) return action;
  const texts: Text[] = action === undefined ? [] : [{ text: action, field: 'action', source: 'args' }];
  const resource = Object.hasOwn(body, 'resource') ? body.resource : undefined;
  if (resource === undefined || resource === null) return { texts, actor };
  if (!isRecord(resource))
    return new FieldProblem('resource', `resource must be an object of strings, got ${kindOf(resource)}.`);
  for (const [key, value] of Object.entries(resource)) {
    const field = `resource.${key}`;
    if (typeof value !== 'string')
      return new FieldProblem(field, `${field} must be a string, got ${kindOf(value)}.`);
    if (value !== '') texts.push({ text: value, field, source: 'args' });
  }
  return { texts, actor };
}

function refused(problem: FieldProblem): ScanOutcome {
  return {
    type: 'rejected',
    error: new GatewayError('invalid_request', problem.message, { param: problem.field }),
  };
}

export function createScanService(dependencies: ScanServiceDependencies): ScanService {
  const { settings, scorer, events, observer, elapsed } = dependencies;

  function tooLong(texts: readonly Text[]): ScanOutcome | undefined {
    const characters = texts.reduce((sum, text) => sum + text.text.length, 0);
    if (characters <= settings.maxScanChars) return undefined;
    return {
      type: 'rejected',
      error: new GatewayError(
        'payload_too_large',
        `The text to scan has ${characters} characters; the scan routes score at most ${settings.maxScanChars} (guard.injection.max_scan_chars).`,
      ),
    };
  }

  function score(texts: readonly Text[], caller: ScanCaller, actor: string | undefined): ScanOutcome {
    const refusal = tooLong(texts);
    if (refusal !== undefined) return refusal;
    const { threshold } = settings;
    let best: { text: Text; score: number; pattern: string | undefined } | undefined;
    const started = elapsed();
    try {
      for (const text of texts) {
        const scored = scorer(text.text, text.source);
        if (best === undefined || scored.score > best.score) best = { text, ...scored };
        if (scored.score >= threshold) break;
      }
    } catch (error) {
      events.failed('scan', 'closed', error, caller.requestId);
      return { type: 'rejected', error: detectorFailed };
    } finally {
      observer.guardScanned('scan', Math.max(0, elapsed() - started) / 1000);
    }
    if (best === undefined) throw new Error('a scan without a text to score');
    observer.guardScored(best.text.source, best.score);
    const detected = best.score >= threshold;
    if (detected) {
      events.detected({
        check: 'scan',
        source: best.text.source,
        action: 'report',
        score: best.score,
        field: best.text.field,
        pattern: best.pattern,
        method: dependencies.method,
        context: undefined,
        requestId: caller.requestId,
        keyId: caller.keyId,
        agent: actor,
      });
    }
    return {
      type: 'answered',
      answer: {
        safe: !detected,
        detected,
        score: best.score,
        source: best.text.field,
        method: dependencies.method,
        ...(detected && best.pattern !== undefined ? { pattern: best.pattern } : {}),
      },
    };
  }

  return {
    scanInput(body, caller) {
      const input = requiredText(body, 'input');
      return input instanceof FieldProblem ? refused(input) : score([input], caller, undefined);
    },
    scanOutput(body, caller) {
      const output = requiredText(body, 'output');
      if (output instanceof FieldProblem) return refused(output);
      const companions = outputCompanions(body as Record<string, unknown>);
      if (companions instanceof FieldProblem) return refused(companions);
      return score([output, ...companions.texts], caller, companions.actor);
    },
  };
}
