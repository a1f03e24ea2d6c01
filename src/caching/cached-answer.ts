import type { ChatChoice, ChatResponse, FinishReason, TextPart, ToolCallPart, Usage } from '../llm/index.js';

/**
 * One cached answer, dialect- and mode-neutral: the canonical response (text, tool calls, finish
 * reasons, usage), rendered on a hit in the caller's dialect, as JSON or as a stream.
 */
export interface CachedAnswer {
  readonly version: 1;
  readonly response: ChatResponse;
  /** The provider and target model that produced it, to price the cost a hit saves. */
  readonly provider?: string;
  readonly targetModel?: string;
  /** Unix milliseconds. */
  readonly storedAt: number;
  readonly expiresAt: number;
}

/** Who answered a request that is now being recorded. */
export interface AnsweredBy {
  readonly provider?: string | undefined;
  readonly model?: string | undefined;
}

const finishReasons: ReadonlySet<string> = new Set<FinishReason>([
  'end',
  'max_tokens',
  'stop_sequence',
  'tool_use',
  'content_filter',
  'refusal',
]);

/**
 * Reads an entry from a shared store. Another replica, an older version or a person with
 * `redis-cli` may have written it, so anything not exactly the expected shape is a miss.
 */
export function parseCachedAnswer(text: string): CachedAnswer | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || value.version !== 1) return undefined;
  if (!isNumber(value.storedAt) || !isNumber(value.expiresAt)) return undefined;
  if (!isOptionalString(value.provider) || !isOptionalString(value.targetModel)) return undefined;
  return isResponse(value.response) ? (value as unknown as CachedAnswer) : undefined;
}

function isResponse(value: unknown): value is ChatResponse {
  if (!isRecord(value)) return false;
  if (typeof value.id !== 'string' || typeof value.model !== 'string' || !isNumber(value.created))
    return false;
  if (value.usage !== undefined && !isUsage(value.usage)) return false;
  if (!isOptionalString(value.systemFingerprint)) return false;
  return Array.isArray(value.choices) && value.choices.every(isChoice);
}

function isChoice(value: unknown): value is ChatChoice {
  if (!isRecord(value) || !isNumber(value.index) || !Array.isArray(value.content)) return false;
  if (
    value.finishReason !== null &&
    !(typeof value.finishReason === 'string' && finishReasons.has(value.finishReason))
  ) {
    return false;
  }
  if (!isOptionalString(value.stopSequence) || !isOptionalString(value.refusal)) return false;
  return value.content.every(isPart);
}

function isPart(value: unknown): value is TextPart | ToolCallPart {
  if (!isRecord(value)) return false;
  if (value.type === 'text') return typeof value.text === 'string';
  return (
    value.type === 'tool_call' &&
    typeof value.id === 'string' &&
    typeof value.name === 'string' &&
    typeof value.arguments === 'string'
  );
}

function isUsage(value: unknown): value is Usage {
  return (
    isRecord(value) &&
    isNumber(value.inputTokens) &&
    isNumber(value.outputTokens) &&
    isNumber(value.cachedInputTokens) &&
    isNumber(value.cacheCreationInputTokens)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isOptionalString(value: unknown): boolean {
  return value === undefined || typeof value === 'string';
}
