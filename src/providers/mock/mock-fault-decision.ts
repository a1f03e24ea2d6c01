import type { Dialect } from '../../llm/index.js';
import {
  contentPolicyError,
  contextLengthError,
  prefillRefusalError,
  statusError,
  type MockErrorInfo,
} from './mock-errors.js';
import type { FaultState } from './mock-fault-state.js';
import type { MockFault, MockFaultPlan } from './mock-faults.js';

/**
 * Which of a request's faults fire. Request-level faults (a status, reset, hang, context length,
 * content policy, prefill refusal, down) are tried in order and the first that fires replaces the
 * answer; otherwise the first slow-first-token and the first stream fault that fire shape it. A
 * fault is only checked against its `once` memory when its own condition holds, and a later fault
 * is not checked at all when an earlier one fired: so `500;once, stream-cut;once` fails the first
 * request with a 500, cuts the second one's stream, and lets the third through.
 */

export type StreamFault = Extract<
  MockFault,
  { kind: 'stream-cut' | 'stream-stall' | 'malformed-chunk' | 'no-terminator' }
>;

export type FaultDecision =
  | { readonly type: 'answer'; readonly firstTokenDelayMs: number; readonly streamFault?: StreamFault }
  | { readonly type: 'reset' }
  | { readonly type: 'hang' }
  | {
      readonly type: 'error';
      readonly status: number;
      readonly error: MockErrorInfo;
      readonly headers: Readonly<Record<string, string>>;
      readonly retryAfterMs?: number;
    };

export interface FaultContext {
  readonly dialect: Dialect;
  /** The `once` key: `x-mock-fault-key`, or the model name. */
  readonly key: string;
  readonly promptTokens: number;
  /** The last message is the assistant's. */
  readonly prefill: boolean;
  /** Milliseconds since the responder was created (read only by `down`). */
  readonly elapsedMs: () => number;
}

const healthy: FaultDecision = { type: 'answer', firstTokenDelayMs: 0 };

function statusDecision(fault: Extract<MockFault, { kind: 'status' }>, dialect: Dialect): FaultDecision {
  const headers: Record<string, string> = {};
  if (fault.retryAfterSeconds !== undefined) headers['retry-after'] = String(fault.retryAfterSeconds);
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  const retryAfterMs =
    fault.retryAfterMs ??
    (fault.retryAfterSeconds === undefined ? undefined : fault.retryAfterSeconds * 1000);
  return {
    type: 'error',
    status: fault.status,
    error: statusError(dialect, fault.status),
    headers,
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
}

function requestLevel(fault: MockFault, state: FaultState, context: FaultContext): FaultDecision | undefined {
  const { dialect, key } = context;
  switch (fault.kind) {
    case 'status':
      return state.fires(fault, key) ? statusDecision(fault, dialect) : undefined;
    case 'reset':
    case 'hang':
      return state.fires(fault, key) ? { type: fault.kind } : undefined;
    case 'context-length':
      if (fault.maxTokens !== undefined && context.promptTokens <= fault.maxTokens) return undefined;
      if (!state.fires(fault, key)) return undefined;
      return {
        type: 'error',
        status: 400,
        error: contextLengthError(dialect, context.promptTokens, fault.maxTokens),
        headers: {},
      };
    case 'content-policy':
      if (!state.fires(fault, key)) return undefined;
      return { type: 'error', status: 400, error: contentPolicyError(dialect), headers: {} };
    case 'prefill-refusal':
      if (!context.prefill || !state.fires(fault, key)) return undefined;
      return { type: 'error', status: 400, error: prefillRefusalError(), headers: {} };
    case 'down': {
      const remainingMs = fault.value * 1000 - context.elapsedMs();
      if (remainingMs <= 0 || !state.fires(fault, key)) return undefined;
      const message =
        `The mock provider is down for its first ${fault.value} seconds (mock fault "down"); ` +
        `${Math.ceil(remainingMs / 1000)} s to go.`;
      return { type: 'error', status: 503, error: statusError(dialect, 503, message), headers: {} };
    }
    case 'slow-first-token':
    case 'stream-cut':
    case 'stream-stall':
    case 'malformed-chunk':
    case 'no-terminator':
      return undefined;
  }
}

function isStreamFault(fault: MockFault): fault is StreamFault {
  return (
    fault.kind === 'stream-cut' ||
    fault.kind === 'stream-stall' ||
    fault.kind === 'malformed-chunk' ||
    fault.kind === 'no-terminator'
  );
}

export function decideFaults(plan: MockFaultPlan, state: FaultState, context: FaultContext): FaultDecision {
  if (plan.faults.length === 0) return healthy;
  for (const fault of plan.faults) {
    const decision = requestLevel(fault, state, context);
    if (decision !== undefined) return decision;
  }
  let firstTokenDelayMs: number | undefined;
  let streamFault: StreamFault | undefined;
  for (const fault of plan.faults) {
    if (fault.kind === 'slow-first-token') {
      if (firstTokenDelayMs === undefined && state.fires(fault, context.key)) firstTokenDelayMs = fault.value;
    } else if (isStreamFault(fault) && streamFault === undefined && state.fires(fault, context.key)) {
      streamFault = fault;
    }
  }
  return {
    type: 'answer',
    firstTokenDelayMs: firstTokenDelayMs ?? 0,
    ...(streamFault === undefined ? {} : { streamFault }),
  };
}
