/**
 * The closed set of error codes. Every failure the gateway reports is one of these; the table maps
 * each to its HTTP status and its type in both dialects, and `satisfies` makes the table exhaustive.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'not_found'
  | 'method_not_allowed'
  | 'precondition_failed'
  | 'conflict'
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'revoked_api_key'
  | 'expired_api_key'
  | 'permission_denied'
  | 'model_not_found'
  | 'model_not_allowed'
  | 'rate_limited'
  | 'budget_exceeded'
  | 'context_length_exceeded'
  | 'content_policy'
  | 'prompt_injection_detected'
  | 'upstream_error'
  | 'upstream_rate_limited'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'upstream_invalid_response'
  | 'stream_interrupted'
  | 'client_closed_request'
  | 'service_unavailable'
  | 'internal_error';

/**
 * The upstream type of a provider's 401/403: the gateway's own credentials were refused. The target
 * is misconfigured, so routing moves on instead of retrying.
 */
export const upstreamCredentialsRefused = 'upstream_credentials_refused';

export interface ErrorKind {
  readonly status: number;
  /** `error.type` in the OpenAI dialect. */
  readonly openaiType: string;
  /** `error.type` in the Anthropic dialect (https://docs.anthropic.com/en/api/errors). */
  readonly anthropicType: string;
}

export const errorKinds = {
  invalid_request: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  invalid_json: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  unsupported_media_type: {
    status: 415,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  payload_too_large: { status: 413, openaiType: 'invalid_request_error', anthropicType: 'request_too_large' },
  not_found: { status: 404, openaiType: 'invalid_request_error', anthropicType: 'not_found_error' },
  method_not_allowed: {
    status: 405,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  /** `If-Match` named a version that is no longer current (optimistic concurrency, RFC 9110). */
  precondition_failed: {
    status: 412,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  /** The resource is no longer in the state the request needs (a review resolved a second time). */
  conflict: { status: 409, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  missing_api_key: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
  },
  invalid_api_key: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
  },
  revoked_api_key: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
  },
  expired_api_key: {
    status: 401,
    openaiType: 'invalid_request_error',
    anthropicType: 'authentication_error',
  },
  permission_denied: { status: 403, openaiType: 'permission_error', anthropicType: 'permission_error' },
  model_not_found: { status: 404, openaiType: 'invalid_request_error', anthropicType: 'not_found_error' },
  model_not_allowed: { status: 403, openaiType: 'permission_error', anthropicType: 'permission_error' },
  rate_limited: { status: 429, openaiType: 'rate_limit_error', anthropicType: 'rate_limit_error' },
  budget_exceeded: { status: 429, openaiType: 'insufficient_quota', anthropicType: 'rate_limit_error' },
  context_length_exceeded: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  content_policy: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  /** The guard found a prompt injection in what the caller sent and its action is `block`. */
  prompt_injection_detected: {
    status: 400,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  upstream_error: { status: 502, openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_rate_limited: { status: 429, openaiType: 'rate_limit_error', anthropicType: 'rate_limit_error' },
  upstream_timeout: { status: 504, openaiType: 'timeout_error', anthropicType: 'timeout_error' },
  upstream_unavailable: { status: 503, openaiType: 'api_error', anthropicType: 'overloaded_error' },
  upstream_invalid_response: { status: 502, openaiType: 'api_error', anthropicType: 'api_error' },
  stream_interrupted: { status: 502, openaiType: 'api_error', anthropicType: 'api_error' },
  /** nginx's 499: the caller went away; recorded in logs and metrics, never sent. */
  client_closed_request: {
    status: 499,
    openaiType: 'invalid_request_error',
    anthropicType: 'invalid_request_error',
  },
  service_unavailable: { status: 503, openaiType: 'api_error', anthropicType: 'overloaded_error' },
  internal_error: { status: 500, openaiType: 'api_error', anthropicType: 'api_error' },
} as const satisfies Record<ErrorCode, ErrorKind>;
