import { STATUS_CODES } from 'node:http';
import type { Dialect } from '../../llm/index.js';

/**
 * Error responses as each provider writes them: OpenAI `{"error":{"message","type","param","code"}}`
 * (https://platform.openai.com/docs/guides/error-codes) and Anthropic
 * `{"type":"error","error":{"type","message"}}` (https://docs.anthropic.com/en/api/errors).
 */

/** What kind of failure an error is; the in-process adapter maps it without parsing the body. */
export type MockErrorCategory = 'context_length' | 'content_policy' | 'status';

export interface MockErrorInfo {
  readonly category: MockErrorCategory;
  /** `error.type` in the response's dialect. */
  readonly type: string;
  readonly message: string;
  /** OpenAI's `error.code` (Anthropic has none). */
  readonly code: string | null;
  readonly param: string | null;
}

interface StatusTypes {
  readonly openaiType: string;
  readonly openaiCode: string | null;
  readonly anthropicType: string;
}

function typesOf(status: number): StatusTypes {
  switch (status) {
    case 400:
      return {
        openaiType: 'invalid_request_error',
        openaiCode: null,
        anthropicType: 'invalid_request_error',
      };
    case 401:
      return {
        openaiType: 'invalid_request_error',
        openaiCode: 'invalid_api_key',
        anthropicType: 'authentication_error',
      };
    case 403:
      return { openaiType: 'permission_error', openaiCode: null, anthropicType: 'permission_error' };
    case 404:
      return {
        openaiType: 'invalid_request_error',
        openaiCode: 'model_not_found',
        anthropicType: 'not_found_error',
      };
    case 413:
      return { openaiType: 'invalid_request_error', openaiCode: null, anthropicType: 'request_too_large' };
    case 429:
      return { openaiType: 'requests', openaiCode: 'rate_limit_exceeded', anthropicType: 'rate_limit_error' };
    case 503:
    case 529:
      return { openaiType: 'server_error', openaiCode: null, anthropicType: 'overloaded_error' };
    default:
      return status >= 500
        ? { openaiType: 'server_error', openaiCode: null, anthropicType: 'api_error' }
        : { openaiType: 'invalid_request_error', openaiCode: null, anthropicType: 'invalid_request_error' };
  }
}

/** The error of a `<status>` fault (or of the `down` fault, with its own message). */
export function statusError(dialect: Dialect, status: number, message?: string): MockErrorInfo {
  const types = typesOf(status);
  const reason = STATUS_CODES[status] ?? 'Error';
  return {
    category: 'status',
    type: dialect === 'openai' ? types.openaiType : types.anthropicType,
    message: message ?? `Mock fault: ${status} ${reason}.`,
    code: dialect === 'openai' ? types.openaiCode : null,
    param: null,
  };
}

/** A request the mock cannot read (not JSON, no messages, ...): a plain 400. */
export function invalidRequestError(message: string, param: string | null = null): MockErrorInfo {
  return { category: 'status', type: 'invalid_request_error', message, code: null, param };
}

/** OpenAI's and Anthropic's own wording, so callers that match on it behave as in production. */
export function contextLengthError(
  dialect: Dialect,
  promptTokens: number,
  maxTokens: number | undefined,
): MockErrorInfo {
  // Without a configured maximum every prompt fails; report a limit the prompt exceeds.
  const maximum = maxTokens ?? (dialect === 'openai' ? 128_000 : 200_000);
  const tokens = Math.max(promptTokens, maximum + 1);
  if (dialect === 'anthropic') {
    return {
      category: 'context_length',
      type: 'invalid_request_error',
      message: `prompt is too long: ${tokens} tokens > ${maximum} maximum`,
      code: null,
      param: null,
    };
  }
  return {
    category: 'context_length',
    type: 'invalid_request_error',
    message:
      `This model's maximum context length is ${maximum} tokens. However, your messages resulted in ` +
      `${tokens} tokens. Please reduce the length of the messages.`,
    code: 'context_length_exceeded',
    param: 'messages',
  };
}

export function contentPolicyError(dialect: Dialect): MockErrorInfo {
  return {
    category: 'content_policy',
    type: 'invalid_request_error',
    message:
      'Your request was rejected as a result of the mock provider\'s content policy (mock fault "content-policy").',
    code: dialect === 'openai' ? 'content_filter' : null,
    param: null,
  };
}

export function prefillRefusalError(): MockErrorInfo {
  return {
    category: 'status',
    type: 'invalid_request_error',
    message:
      'This model does not support assistant message prefill. The conversation must end with a user message.',
    code: null,
    param: 'messages',
  };
}

export function errorBody(dialect: Dialect, error: MockErrorInfo, requestId: string): Uint8Array {
  const body =
    dialect === 'openai'
      ? { error: { message: error.message, type: error.type, param: error.param, code: error.code } }
      : { type: 'error', error: { type: error.type, message: error.message }, request_id: requestId };
  return Buffer.from(JSON.stringify(body));
}
