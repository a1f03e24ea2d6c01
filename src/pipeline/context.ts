import type { GatewayError } from '../errors/index.js';
import type { Principal } from '../keys/index.js';
import type { Dialect } from '../llm/index.js';

export type { Principal } from '../keys/index.js';

/** Who the caller is, or why the key was refused. */
export type Authentication = { ok: true; principal: Principal } | { ok: false; error: GatewayError };

export type Operation = 'chat' | 'embeddings';

/** What http/ hands to the pipeline: the parsed request and what it needs to know about it. */
export interface RequestContext {
  readonly requestId: string;
  readonly dialect: Dialect;
  readonly operation: Operation;
  /** Lower-cased request headers as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * The parsed body, this request's own. A request stage that rewrites the prompt (PII redaction)
   * replaces its text members in place, so the stages after it and routing read the new text.
   */
  readonly body: Record<string, unknown>;
  /** Aborted when the caller disconnects. */
  readonly signal: AbortSignal;
  /** `performance.now()` when the request arrived. */
  readonly receivedAt: number;
}

export type CacheResult = 'hit' | 'miss' | 'bypass';

/** What the response headers report about how the request was answered. */
export interface ResponseMeta {
  readonly provider: string | undefined;
  readonly model: string | undefined;
  readonly attempts: number;
  readonly cache: CacheResult;
  /** Time spent in the gateway itself before the answer began, excluding the upstream. */
  readonly overheadMs: number;
  /** OpenAI-style `x-ratelimit-*` headers for the caller's limits. */
  readonly rateLimitHeaders: Readonly<Record<string, string>>;
  /** Headers a request stage adds to the response (the guard's `x-gatehouse-guard` flag). */
  readonly stageHeaders?: Readonly<Record<string, string>> | undefined;
  /**
   * Headers an answer stage adds to a JSON answer (the tool firewall's removed and held calls). A
   * stream's headers go out with its first frame, before any stage has seen the rest of it.
   */
  readonly answerHeaders?: Readonly<Record<string, string>>;
}
