import type { Dialect } from '../../llm/index.js';
import type { IncomingHeaders } from '../../telemetry/index.js';

/**
 * What the firewall needs from outside, as functions the composition root passes in: the agent
 * authorizer (governance's, as behind `POST /v1/agent/authorize`) and the review queue's waiter.
 * The firewall never imports governance; `gateway/firewall-assembler.ts` adapts one to the other.
 */

/** One tool call, asked about as an agent's action. */
export interface ToolCallQuestion {
  /** The agent the caller's key (or grant) is bound to. */
  readonly actor: string;
  /** The tool's name. */
  readonly action: string;
  /** What makes the request recognisable as the firewall's (`source: tool_call`), and the call's id. */
  readonly resource: Readonly<Record<string, string>>;
  /** The configured confidence (a tool call asserts none); undefined: none. */
  readonly confidence: number | undefined;
  /** The call's arguments: parsed JSON, the raw text when it is not JSON, undefined when empty. */
  readonly args: unknown;
  /** The caller's headers: its credential (a grant bounds the decision) and its trace context. */
  readonly headers: IncomingHeaders;
}

/** The authorizer's answer, reduced to what the firewall acts on. */
export type ToolCallAuthorization =
  /** `allow`, and `read_only` (Lelu's SDK counts it allowed: a call has no narrower form to give). */
  | { readonly type: 'allow'; readonly tenantId: string; readonly traceId: string; readonly reason: string }
  | { readonly type: 'deny'; readonly tenantId: string; readonly traceId: string; readonly reason: string }
  | {
      readonly type: 'review';
      readonly tenantId: string;
      readonly traceId: string;
      readonly reason: string;
      readonly reviewId: string;
    }
  /** Nothing was decided (over the tenant's rate, arguments out of bounds, the queue unavailable). */
  | { readonly type: 'refused'; readonly reason: string };

export type AuthorizeToolCall = (question: ToolCallQuestion) => Promise<ToolCallAuthorization>;

export type ReviewResolution =
  | { readonly type: 'approved'; readonly resolvedBy: string | undefined }
  | { readonly type: 'denied'; readonly resolvedBy: string | undefined; readonly note: string | undefined }
  /** Still pending when the wait ran out (or the caller left, or the queue could not be read). */
  | { readonly type: 'pending' };

/** Waits up to `timeoutMs` for a reviewer; never rejects. */
export type AwaitReview = (
  reviewId: string,
  timeoutMs: number,
  signal: AbortSignal,
) => Promise<ReviewResolution>;

/** The request an answer belongs to, as the firewall needs to know it. */
export interface FirewallScope {
  readonly dialect: Dialect;
  /** The agent the caller's key is bound to. */
  readonly agent: string;
  readonly keyId: string;
  readonly requestId: string;
  /** The model the caller asked for. */
  readonly model: string;
  readonly stream: boolean;
  readonly headers: IncomingHeaders;
  /** Aborted when the caller leaves: a review wait ends then. */
  readonly signal: AbortSignal;
}
