/**
 * The mock provider's fault grammar: how a caller tells the mock to misbehave, by model name or by
 * header. Both forms produce the same `MockFaultPlan`; when both are present the header's faults
 * are tried after the model name's, and the header's latencies win.
 *
 * Fault names (the value in parentheses is the fault's one numeric argument and its default):
 *
 *   latency (ms, 100)              wait before the response headers
 *   token-latency (ms, 20)         wait between stream events (non-streaming: per output token)
 *   <status>                       any 400-599 status with an error body in the request's dialect,
 *                                  e.g. 429, 500, 503, 529; takes `retry-after` and `retry-after-ms`
 *   reset                          destroy the connection before any header is written
 *   hang                           never respond (until the caller gives up)
 *   slow-first-token (ms, 2000)    wait before the first stream event (non-streaming: before the
 *                                  whole response)
 *   stream-cut (events, 5)         destroy the connection after that many stream events
 *   stream-stall (events, 5)       stop sending after that many events, keep the connection open
 *   malformed-chunk (events, 5)    send a data frame that is not JSON after that many events
 *   no-terminator                  end the stream without `data: [DONE]` / `message_stop`
 *   context-length (tokens)        400 context length exceeded; with a number, only when the
 *                                  estimated prompt is longer than that many tokens
 *   content-policy                 400 content-policy rejection
 *   prefill-refusal                400 when the last message is an assistant message (prefill)
 *   down (seconds, 30)             503 until that many seconds after the responder was created
 *
 * Any fault except the latencies takes `once`: only the first request per key suffers it, later
 * ones are healthy. The key is the `x-mock-fault-key` header's value or, without it, the model name.
 * Faults are tried in order and the first request-level one that applies wins; a `once` is spent
 * only when its fault fires, so `500;once, stream-cut;once` fails one request, cuts the next one's
 * stream and lets the third through. A malformed chunk is followed by the rest of the stream.
 * Non-streaming requests suffer the stream faults on their one JSON body (cut or stalled half way,
 * or truncated into invalid JSON). Model lists and /health never fail.
 *
 * Header form (strict: an unknown name or parameter is a 400 naming it):
 *
 *   x-mock-fault: <fault> *( "," <fault> )
 *   <fault>      = <name> [ "=" <number> ] *( ";" <param> [ "=" <number> ] )
 *   <param>      = once | retry-after | retry-after-ms | ms | after | seconds | max
 *
 *   e.g. `429;retry-after=2`, `500;once`, `stream-cut;after=3`, `slow-first-token=1500`,
 *   `down;seconds=10`, `context-length;max=4096`, `503;once, latency=50`.
 *   Also `x-mock-latency-ms: <ms>`, `x-mock-token-latency-ms: <ms>` and `x-mock-fault-key: <key>`.
 *
 * Model-name form (lenient, so ordinary names such as `mock-gpt-4o` stay healthy): the name is split
 * on "-"; the words after the first word `mock` are read left to right. A fault name starts a fault,
 * a number right after it is its argument, and `once`, `retry-after-<s>`, `retry-after-ms-<ms>` and
 * `after-<n>` apply to the fault before them. Other words are ignored.
 *
 *   e.g. `mock-429`, `mock-429-retry-after-2`, `mock-429-retry-after-ms-1500`, `mock-500-once`,
 *   `mock-fault-503-once`, `mock-reset-once`, `mock-slow-first-token-2000`, `mock-stream-cut-after-3`,
 *   `mock-stream-stall-4`, `mock-context-length-4096`, `mock-down-10`, `mock-latency-50-500-once`.
 */

interface FaultBase {
  /** The fault's canonical spelling; with the request's key it identifies a `once` fault's shot. */
  readonly key: string;
  readonly once: boolean;
}

type PlainKind = 'reset' | 'hang' | 'no-terminator' | 'content-policy' | 'prefill-refusal';
/** Faults with one numeric argument: milliseconds, an event count or seconds. */
type ValuedKind = 'slow-first-token' | 'stream-cut' | 'stream-stall' | 'malformed-chunk' | 'down';

export type MockFault =
  | (FaultBase & {
      readonly kind: 'status';
      readonly status: number;
      readonly retryAfterSeconds?: number;
      readonly retryAfterMs?: number;
    })
  | { readonly [Kind in PlainKind]: FaultBase & { readonly kind: Kind } }[PlainKind]
  | { readonly [Kind in ValuedKind]: FaultBase & { readonly kind: Kind; readonly value: number } }[ValuedKind]
  | (FaultBase & {
      readonly kind: 'context-length';
      /** Undefined: every request fails. */
      readonly maxTokens?: number;
    });

export type MockFaultKind = MockFault['kind'];

export interface MockFaultPlan {
  /** Undefined when neither form set it, so a header can override a model name's value. */
  readonly latencyMs?: number;
  readonly tokenLatencyMs?: number;
  readonly faults: readonly MockFault[];
}

export type FaultHeaderParse =
  { readonly ok: true; readonly plan: MockFaultPlan } | { readonly ok: false; readonly message: string };

export const emptyFaultPlan: MockFaultPlan = Object.freeze({ faults: Object.freeze([]) });

type FaultName = MockFaultKind | 'latency' | 'token-latency';

interface FaultDefinition {
  /** The header parameter that is another spelling of the numeric argument. */
  readonly argumentName?: 'ms' | 'after' | 'seconds' | 'max';
  readonly defaultArgument?: number;
}

const definitions: Readonly<Record<Exclude<FaultName, 'status'>, FaultDefinition>> = {
  latency: { argumentName: 'ms', defaultArgument: 100 },
  'token-latency': { argumentName: 'ms', defaultArgument: 20 },
  reset: {},
  hang: {},
  'slow-first-token': { argumentName: 'ms', defaultArgument: 2000 },
  'stream-cut': { argumentName: 'after', defaultArgument: 5 },
  'stream-stall': { argumentName: 'after', defaultArgument: 5 },
  'malformed-chunk': { argumentName: 'after', defaultArgument: 5 },
  'no-terminator': {},
  'context-length': { argumentName: 'max' },
  'content-policy': {},
  'prefill-refusal': {},
  down: { argumentName: 'seconds', defaultArgument: 30 },
};

const statusDefinition: FaultDefinition = {};

/** Multi-word names first, so the model-name reader matches the longest name. */
const namesByWordCount: readonly (readonly string[])[] = Object.keys(definitions)
  .map((name) => name.split('-'))
  .sort((left, right) => right.length - left.length);

function isStatusName(name: string): boolean {
  const status = name.length === 3 ? parseCount(name) : undefined;
  return status !== undefined && status >= 400 && status <= 599;
}

function definitionOf(name: string): FaultDefinition | undefined {
  if (isStatusName(name)) return statusDefinition;
  return Object.hasOwn(definitions, name) ? definitions[name as keyof typeof definitions] : undefined;
}

/** A fault while it is being read; both forms fill one in, then `finish` checks and freezes it. */
interface FaultDraft {
  readonly name: string;
  argument?: number;
  once: boolean;
  retryAfterSeconds?: number;
  retryAfterMs?: number;
}

interface PlanDraft {
  latencyMs?: number;
  tokenLatencyMs?: number;
  readonly faults: MockFault[];
}

function canonicalKey(draft: FaultDraft): string {
  let key = draft.name;
  if (draft.argument !== undefined) key += `=${draft.argument}`;
  if (draft.retryAfterSeconds !== undefined) key += `;retry-after=${draft.retryAfterSeconds}`;
  if (draft.retryAfterMs !== undefined) key += `;retry-after-ms=${draft.retryAfterMs}`;
  return key;
}

function finish(draft: FaultDraft, plan: PlanDraft): void {
  const definition = definitionOf(draft.name);
  const argument = draft.argument ?? definition?.defaultArgument;
  const key = canonicalKey(draft);
  const once = draft.once;
  switch (draft.name) {
    case 'latency':
      plan.latencyMs = argument ?? 0;
      return;
    case 'token-latency':
      plan.tokenLatencyMs = argument ?? 0;
      return;
    case 'reset':
    case 'hang':
    case 'no-terminator':
    case 'content-policy':
    case 'prefill-refusal':
      plan.faults.push({ kind: draft.name, key, once });
      return;
    case 'slow-first-token':
    case 'stream-cut':
    case 'stream-stall':
    case 'malformed-chunk':
    case 'down':
      plan.faults.push({ kind: draft.name, key, once, value: argument ?? 0 });
      return;
    case 'context-length':
      plan.faults.push(
        argument === undefined
          ? { kind: 'context-length', key, once }
          : { kind: 'context-length', key, once, maxTokens: argument },
      );
      return;
    default:
      plan.faults.push({
        kind: 'status',
        key,
        once,
        status: Number(draft.name),
        ...(draft.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: draft.retryAfterSeconds }),
        ...(draft.retryAfterMs === undefined ? {} : { retryAfterMs: draft.retryAfterMs }),
      });
  }
}

function freeze(plan: PlanDraft): MockFaultPlan {
  if (plan.faults.length === 0 && plan.latencyMs === undefined && plan.tokenLatencyMs === undefined) {
    return emptyFaultPlan;
  }
  return Object.freeze({
    ...(plan.latencyMs === undefined ? {} : { latencyMs: plan.latencyMs }),
    ...(plan.tokenLatencyMs === undefined ? {} : { tokenLatencyMs: plan.tokenLatencyMs }),
    faults: Object.freeze(plan.faults),
  });
}

/** A non-negative integer written in plain digits; anything else is undefined. */
function parseCount(text: string): number | undefined {
  if (text.length === 0 || text.length > 9) return undefined;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) return undefined;
  }
  return Number(text);
}

/** Reads the model-name form; never fails (unknown words are ignored). */
export function parseFaultModelName(model: string): MockFaultPlan {
  const words = model.toLowerCase().split('-');
  const start = words.indexOf('mock');
  if (start === -1) return emptyFaultPlan;
  const plan: PlanDraft = { faults: [] };
  let current: FaultDraft | undefined;
  let index = start + 1;
  const wordAt = (offset: number): string => words[index + offset] ?? '';
  while (index < words.length) {
    const name = matchName(words, index);
    if (name !== undefined) {
      if (current !== undefined) finish(current, plan);
      current = { name: name.name, once: false };
      index += name.wordCount;
      const argument = parseCount(wordAt(0));
      if (argument !== undefined && definitionOf(name.name)?.argumentName !== undefined) {
        current.argument = argument;
        index += 1;
      }
      continue;
    }
    if (current !== undefined) {
      if (wordAt(0) === 'once') {
        current.once = true;
        index += 1;
        continue;
      }
      if (wordAt(0) === 'retry' && wordAt(1) === 'after') {
        const milliseconds = wordAt(2) === 'ms' ? parseCount(wordAt(3)) : undefined;
        const seconds = parseCount(wordAt(2));
        if (milliseconds !== undefined) {
          current.retryAfterMs = milliseconds;
          index += 4;
          continue;
        }
        if (seconds !== undefined) {
          current.retryAfterSeconds = seconds;
          index += 3;
          continue;
        }
      }
      const after = wordAt(0) === 'after' ? parseCount(wordAt(1)) : undefined;
      if (after !== undefined && definitionOf(current.name)?.argumentName === 'after') {
        current.argument = after;
        index += 2;
        continue;
      }
    }
    index += 1;
  }
  if (current !== undefined) finish(current, plan);
  return freeze(plan);
}

function matchName(words: readonly string[], index: number): { name: string; wordCount: number } | undefined {
  const first = words[index] ?? '';
  if (isStatusName(first)) return { name: first, wordCount: 1 };
  for (const nameWords of namesByWordCount) {
    let matches = true;
    for (let offset = 0; offset < nameWords.length; offset++) {
      if (words[index + offset] !== nameWords[offset]) {
        matches = false;
        break;
      }
    }
    if (matches) return { name: nameWords.join('-'), wordCount: nameWords.length };
  }
  return undefined;
}

const headerParameters = new Set(['once', 'retry-after', 'retry-after-ms', 'ms', 'after', 'seconds', 'max']);

/** Reads the `x-mock-fault` header form; strict, so a typo is reported rather than ignored. */
export function parseFaultHeader(value: string): FaultHeaderParse {
  const plan: PlanDraft = { faults: [] };
  for (const rawFault of value.split(',')) {
    if (rawFault.trim() === '') continue;
    const [head = '', ...parameters] = rawFault.split(';');
    const [rawName = '', rawArgument] = head.split('=');
    const name = rawName.trim().toLowerCase();
    const definition = definitionOf(name);
    if (definition === undefined) {
      return { ok: false, message: `x-mock-fault: unknown fault "${name}".` };
    }
    const draft: FaultDraft = { name, once: false };
    if (rawArgument !== undefined) {
      const argument = parseCount(rawArgument.trim());
      if (argument === undefined || definition.argumentName === undefined) {
        return {
          ok: false,
          message: `x-mock-fault: "${name}" does not take the value "${rawArgument.trim()}".`,
        };
      }
      draft.argument = argument;
    }
    for (const rawParameter of parameters) {
      const problem = applyHeaderParameter(draft, definition, rawParameter);
      if (problem !== undefined) return { ok: false, message: `x-mock-fault: ${problem}` };
    }
    finish(draft, plan);
  }
  return { ok: true, plan: freeze(plan) };
}

function applyHeaderParameter(
  draft: FaultDraft,
  definition: FaultDefinition,
  raw: string,
): string | undefined {
  const [rawName = '', rawValue] = raw.split('=');
  const parameter = rawName.trim().toLowerCase();
  if (parameter === '') return undefined;
  if (!headerParameters.has(parameter)) return `unknown parameter "${parameter}" on "${draft.name}".`;
  const isLatency = draft.name === 'latency' || draft.name === 'token-latency';
  if (parameter === 'once') {
    if (isLatency) return `"${draft.name}" does not take "once".`;
    draft.once = true;
    return undefined;
  }
  const value = rawValue === undefined ? undefined : parseCount(rawValue.trim());
  if (value === undefined) return `"${parameter}" on "${draft.name}" needs a whole number.`;
  if (parameter === 'retry-after' || parameter === 'retry-after-ms') {
    if (!isStatusName(draft.name)) return `"${parameter}" applies only to a status fault.`;
    if (parameter === 'retry-after') draft.retryAfterSeconds = value;
    else draft.retryAfterMs = value;
    return undefined;
  }
  if (definition.argumentName !== parameter) return `"${draft.name}" does not take "${parameter}".`;
  draft.argument = value;
  return undefined;
}

/** The model name's plan with the header's faults after its own; the header's latencies win. */
export function mergeFaultPlans(fromModel: MockFaultPlan, fromHeader: MockFaultPlan): MockFaultPlan {
  if (fromHeader === emptyFaultPlan) return fromModel;
  if (fromModel === emptyFaultPlan) return fromHeader;
  const latencyMs = fromHeader.latencyMs ?? fromModel.latencyMs;
  const tokenLatencyMs = fromHeader.tokenLatencyMs ?? fromModel.tokenLatencyMs;
  return Object.freeze({
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(tokenLatencyMs === undefined ? {} : { tokenLatencyMs }),
    faults: Object.freeze([...fromModel.faults, ...fromHeader.faults]),
  });
}

/** Reads a latency header (`x-mock-latency-ms`); absent or not a whole number is undefined. */
export function parseLatencyHeader(value: string | undefined): number | undefined {
  return value === undefined ? undefined : parseCount(value.trim());
}
