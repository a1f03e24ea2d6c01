/**
 * Canonical chat types: the common ground between the OpenAI and Anthropic dialects. A request is
 * translated through these only when the caller's dialect differs from the target's; the same
 * dialect passes through untouched. Everything both dialects can express has a place here, so
 * translation is faithful both ways.
 */

export type Dialect = 'openai' | 'anthropic';

/** Anthropic prompt-caching marker, carried so it survives a round trip to an Anthropic target. */
export interface CacheControl {
  readonly type: 'ephemeral';
  readonly ttl?: string;
}

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
  readonly cacheControl?: CacheControl;
}

export type ImageSource =
  | { readonly kind: 'url'; readonly url: string }
  | { readonly kind: 'base64'; readonly mediaType: string; readonly data: string };

export interface ImagePart {
  readonly type: 'image';
  readonly source: ImageSource;
  /** OpenAI `image_url.detail`. */
  readonly detail?: string;
  readonly cacheControl?: CacheControl;
}

export interface ToolCallPart {
  readonly type: 'tool_call';
  readonly id: string;
  readonly name: string;
  /** The arguments as the JSON text the model produced (OpenAI sends text, Anthropic an object). */
  readonly arguments: string;
  readonly cacheControl?: CacheControl;
}

export interface ToolResultPart {
  readonly type: 'tool_result';
  readonly toolCallId: string;
  readonly content: readonly (TextPart | ImagePart)[];
  readonly isError?: boolean;
  readonly cacheControl?: CacheControl;
}

export type ContentPart = TextPart | ImagePart | ToolCallPart | ToolResultPart;

export interface ChatMessage {
  readonly role: 'user' | 'assistant';
  readonly content: readonly ContentPart[];
  /** OpenAI `name` on a message. */
  readonly name?: string;
}

export interface ToolDefinition {
  readonly name: string;
  readonly description?: string;
  /** JSON Schema of the arguments. */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly strict?: boolean;
  readonly cacheControl?: CacheControl;
}

export type ToolChoice =
  | { readonly type: 'auto' }
  | { readonly type: 'none' }
  | { readonly type: 'required' }
  | { readonly type: 'tool'; readonly name: string };

export type ResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly name: string;
      readonly schema: Readonly<Record<string, unknown>>;
      readonly strict?: boolean;
    };

export interface ChatRequest {
  readonly model: string;
  readonly system: readonly TextPart[];
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolDefinition[];
  readonly toolChoice?: ToolChoice;
  readonly parallelToolCalls?: boolean;
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly stop?: readonly string[];
  readonly n?: number;
  readonly seed?: number;
  readonly responseFormat?: ResponseFormat;
  readonly stream: boolean;
  /** The caller asked for usage in the stream (`stream_options.include_usage`). */
  readonly includeUsage?: boolean;
  /** An end-user identifier (OpenAI `user`, Anthropic `metadata.user_id`). */
  readonly user?: string;
}

export type FinishReason = 'end' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'content_filter' | 'refusal';

export interface Usage {
  /** All input tokens, cached ones included (OpenAI's `prompt_tokens` convention). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens read from the provider's prompt cache (a subset of inputTokens). */
  readonly cachedInputTokens: number;
  /** Input tokens written to the provider's prompt cache (a subset of inputTokens). */
  readonly cacheCreationInputTokens: number;
}

export interface ChatChoice {
  readonly index: number;
  readonly content: readonly (TextPart | ToolCallPart)[];
  readonly finishReason: FinishReason | null;
  /** The stop sequence that ended the answer, when the provider says which. */
  readonly stopSequence?: string;
  /** A model's refusal text (OpenAI `message.refusal`). */
  readonly refusal?: string;
}

export interface ChatResponse {
  readonly id: string;
  readonly model: string;
  /** Unix seconds. */
  readonly created: number;
  readonly choices: readonly ChatChoice[];
  readonly usage?: Usage;
  readonly systemFingerprint?: string;
}

/**
 * Stream events, dialect-neutral. Decoders turn a provider's stream into these; encoders turn
 * them into the caller's dialect. `choice` is the OpenAI choice index (always 0 from Anthropic).
 */
export type ChatStreamEvent =
  | {
      readonly type: 'start';
      readonly id: string;
      readonly model: string;
      readonly created: number;
      readonly usage?: Partial<Usage>;
    }
  | { readonly type: 'text'; readonly choice: number; readonly text: string }
  | {
      readonly type: 'tool_call_start';
      readonly choice: number;
      readonly index: number;
      readonly id: string;
      readonly name: string;
    }
  | {
      readonly type: 'tool_call_delta';
      readonly choice: number;
      readonly index: number;
      readonly arguments: string;
    }
  | {
      readonly type: 'finish';
      readonly choice: number;
      readonly reason: FinishReason;
      readonly stopSequence?: string;
    }
  | { readonly type: 'usage'; readonly usage: Usage }
  /** The stream's own terminator arrived (`[DONE]`, `message_stop`): the answer is complete. */
  | { readonly type: 'end' };
