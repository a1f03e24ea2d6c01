import type { GatewayError } from '../errors/index.js';
import type { Dialect, Usage } from '../llm/index.js';
import type { ProviderAdapter } from '../providers/contract.js';
import type { RouterObserver } from './observer.js';
import type { RetrySettings, Strategy, TimeoutSettings } from './routing-settings.js';

export interface Target {
  readonly provider: ProviderAdapter;
  /** The provider's model (or deployment) name. */
  readonly model: string;
  readonly weight: number;
}

/** What a client-facing model name resolves to. */
export interface ModelRoute {
  readonly name: string;
  readonly strategy: Strategy;
  readonly targets: readonly Target[];
  readonly fallbacks: readonly string[];
  /** Larger-context models for a prompt too long for this one. */
  readonly contextFallbacks: readonly string[];
  /** The model's context length in tokens, when configured. */
  readonly contextWindow: number | undefined;
  readonly retry: RetrySettings;
  readonly timeouts: TimeoutSettings;
}

/** One request as routing sees it: a validated body in the caller's dialect. */
export interface RouteCall {
  readonly dialect: Dialect;
  readonly operation: 'chat' | 'embeddings';
  readonly model: string;
  readonly body: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  /** The caller asked for a usage chunk at the end of an OpenAI stream. */
  readonly includeUsage: boolean;
  readonly forwardHeaders: Readonly<Record<string, string>>;
  /**
   * Counts the caller's prompt for a target model, for a translated stream whose dialect reports
   * the prompt before the answer; the count is not billed (the upstream's usage is).
   */
  readonly countPromptTokens?: (targetModel: string) => Promise<number>;
  /** Aborted when the caller goes away: the upstream request is cancelled at once. */
  readonly signal: AbortSignal;
  /** This request's own observer (its trace spans), told everything the router's observer is. */
  readonly observer?: Pick<RouterObserver, 'attempt' | 'retry' | 'failover'>;
}

/** The target that answered, and how many attempts it took. */
export interface Answered {
  readonly provider: string;
  readonly model: string;
  readonly attempts: number;
}

export interface StreamSummary {
  /** The answer reached its terminator; false means it ended with an in-band error. */
  readonly complete: boolean;
  readonly usage: Usage | undefined;
  readonly error: GatewayError | undefined;
  /** The target that finished the answer, when a mid-stream failure was recovered from. */
  readonly recoveredBy: Answered | undefined;
  /** The answer's text as the caller received it, for counting tokens when no usage came. */
  readonly outputText: string;
}

export type RouteOutcome =
  | { readonly type: 'error'; readonly error: GatewayError; readonly attempts: number }
  | {
      readonly type: 'json';
      readonly answered: Answered;
      /** The response body in the caller's dialect. */
      readonly body: Buffer;
      readonly usage: Usage | undefined;
    }
  | {
      readonly type: 'stream';
      readonly answered: Answered;
      /** Complete SSE frames in the caller's dialect; the consumer must iterate to the end or return(). */
      readonly frames: AsyncIterable<Uint8Array | string>;
      /** Settles when the stream has ended, however it ended. */
      readonly summary: Promise<StreamSummary>;
    };
