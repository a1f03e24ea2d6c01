import type { GatewayError } from '../errors/index.js';
import type { Usage } from '../llm/index.js';
import type { LimitLease } from '../limits/index.js';
import type { TraceSpan } from '../telemetry/index.js';
import type { Principal, RequestContext, ResponseMeta } from './context.js';

/** One request as it ended: what the account stage prices and records, and the log stage reports. */
export interface FinishedRequest {
  readonly context: RequestContext;
  readonly span: TraceSpan;
  /** Undefined when the caller was not authenticated. */
  readonly principal: Principal | undefined;
  /** The model asked for, as a log line may carry it (undefined when there was none). */
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly meta: ResponseMeta;
  /** The HTTP status the caller received (499 when it went away). */
  readonly status: number;
  /** As the answer reported it; the account stage counts it when the answer reported none. */
  readonly usage: Usage | undefined;
  readonly error: GatewayError | undefined;
  /** For an answered stream: whether it reached its terminator. */
  readonly streamComplete: boolean | undefined;
  readonly savedCostUsd: number;
  /** The answer's text, counted with a tokenizer when the provider reported no usage. */
  readonly outputText: string | undefined;
  readonly lease: LimitLease | undefined;
  /** The request reached the cache or routing, or failed after admission: only then is it accounted. */
  readonly accounted: boolean;
  readonly latencyMs: number;
}

/** What a request was accounted at: metrics, the request span and the log line report the same. */
export interface Accounted {
  readonly costUsd: number;
  readonly usage: Usage | undefined;
}
