import type { GatewayError } from '../../errors/index.js';
import type { IncomingHeaders, RequestSpanStart, TraceSpan, Tracing } from '../../telemetry/index.js';
import type { PolicySnapshot } from '../contract.js';
import type { DelegationCaller } from './delegation-caller.js';
import type { DelegationEvents, SwarmObserver } from './delegation-events.js';
import type { DelegationSettings } from './delegation-settings.js';
import type { GrantRegistry } from './grant-registry.js';
import type { GrantStore } from './grant-store.js';
import type { RandomBytes } from './grant-token.js';

/** What the delegation service is given, and what it is asked and answers. */
export interface DelegationServiceDependencies {
  readonly settings: DelegationSettings;
  readonly store: GrantStore;
  readonly registry: GrantRegistry;
  /** The policy in force on this replica (it decides action `delegate`). */
  readonly policy: () => PolicySnapshot;
  readonly events: DelegationEvents;
  readonly observer: SwarmObserver;
  readonly tracing: Pick<Tracing, 'startRequestSpan' | 'injectHeaders'>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  readonly newTraceId: () => string;
  readonly randomBytes?: RandomBytes;
}

export interface DelegationCall {
  readonly body: unknown;
  readonly headers: IncomingHeaders;
  readonly caller: DelegationCaller;
}

/** A refusal in Lelu's shape (403): an answer, not an error. */
export interface RefusalAnswer {
  readonly allowed: false;
  readonly reason: string;
  readonly trace_id: string;
  /** The scope the refusal is about, when it is about one. */
  readonly refused_scope?: string;
}

export type DelegationOutcome<Answer> =
  | { readonly type: 'granted'; readonly answer: Answer }
  | { readonly type: 'refused'; readonly answer: RefusalAnswer }
  | { readonly type: 'rejected'; readonly error: GatewayError };

/**
 * A span in the trace of `traceparent` (a grant's) when there is one, linked to the caller's own
 * context; else the caller's trace, as any request's span.
 */
export function startSpanUnder(
  tracing: Pick<Tracing, 'startRequestSpan'>,
  headers: IncomingHeaders,
  traceparent: string | undefined,
  start: RequestSpanStart,
): TraceSpan {
  if (traceparent === undefined) return tracing.startRequestSpan(headers, start);
  return tracing.startRequestSpan({ traceparent }, { ...start, links: [headers] });
}
