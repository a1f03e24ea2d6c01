import type { Dialect } from '../llm/index.js';
import type { GatewayError } from '../errors/index.js';

export type UpstreamOperation = 'chat' | 'embeddings';

/** One attempt against one provider, with a body already in a dialect the provider speaks. */
export interface UpstreamRequest {
  readonly operation: UpstreamOperation;
  /** The dialect of `body`; one of the adapter's `dialects`. */
  readonly dialect: Dialect;
  /** The provider's own model (or Azure deployment) name; already set in `body`. */
  readonly model: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  /**
   * Headers to forward: `traceparent`, the request id, dialect headers the caller chose
   * (`anthropic-version`, `anthropic-beta`), and `x-mock-*` fault switches. Never the caller's
   * credentials: the adapter attaches the provider's own from configuration.
   */
  readonly headers: Readonly<Record<string, string>>;
  readonly signal: AbortSignal;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body bytes as they arrive; for streams, server-sent events in the request's dialect. */
  readonly body: AsyncIterable<Uint8Array>;
  /** The whole body at once (a non-streaming answer), read without iterating chunk by chunk. */
  readAll(): Promise<Buffer>;
  /** Releases the connection early (abort, or a body that is not going to be read). */
  cancel(): void;
}

/** Why an attempt failed before a successful response began; drives retry and fail-over. */
export type UpstreamFailureKind =
  /** The provider answered with an error status. */
  | 'http'
  /** No connection (refused, DNS, TLS) or the connection was reset before headers. */
  | 'connect'
  /** Connect or response-header timeout. */
  | 'timeout';

export interface UpstreamFailure {
  readonly kind: UpstreamFailureKind;
  /** The provider's error, normalised: status, type and message kept. */
  readonly error: GatewayError;
  /** From `retry-after-ms` or `retry-after`, when the provider said how long to wait. */
  readonly retryAfterMs?: number;
}

export type UpstreamOutcome =
  | { readonly ok: true; readonly response: UpstreamResponse }
  | { readonly ok: false; readonly failure: UpstreamFailure };

/**
 * The adapter contract: how the gateway reaches one configured provider. Adapters know their
 * provider's URLs, headers, auth and error shapes; they never translate between dialects (the
 * caller of `send` does, through the dialect codecs) and never retry (routing does).
 */
export interface ProviderAdapter {
  /** The configured provider name (`openai`, `azure-eu`, ...). */
  readonly name: string;
  readonly type: string;
  /** Wire dialects the provider speaks natively; a request in one of them passes through as is. */
  readonly dialects: readonly Dialect[];
  readonly supportsEmbeddings: boolean;
  /** Continues an answer from an assistant prefill (used for mid-stream recovery). */
  readonly supportsPrefill: boolean;
  /**
   * Where requests go (the configured `base_url` or the provider's default), for the `server.*`
   * attributes of attempt spans; absent for a provider served in process (the mock).
   */
  readonly baseUrl?: string;
  send(request: UpstreamRequest): Promise<UpstreamOutcome>;
  /** Lists the provider's models without a billable call (for `gatehouse check`). */
  listModels(signal: AbortSignal): Promise<readonly string[]>;
  close(): Promise<void>;
}
