import { errorKinds, GatewayError, type ErrorCode } from '../../errors/index.js';
import { readRecord, readString, sseFrame } from '../shared/wire.js';

/** Anthropic's documented error types (https://docs.anthropic.com/en/api/errors). */
const anthropicTypes = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'timeout_error',
  'api_error',
  'overloaded_error',
]);

/**
 * An upstream's own type is kept when it is an Anthropic type; a type from an OpenAI upstream
 * (`server_error`, `insufficient_quota`) would mean nothing to an Anthropic client.
 */
function anthropicType(error: GatewayError): string {
  const upstream = error.upstreamType;
  return upstream !== undefined && anthropicTypes.has(upstream)
    ? upstream
    : errorKinds[error.code].anthropicType;
}

export function encodeAnthropicError(error: GatewayError, requestId: string): Record<string, unknown> {
  return {
    type: 'error',
    error: { type: anthropicType(error), message: error.message },
    request_id: requestId,
  };
}

export function encodeAnthropicStreamError(error: GatewayError): string {
  return sseFrame({ type: 'error', error: { type: anthropicType(error), message: error.message } }, 'error');
}

/** An `error` event an Anthropic upstream sent mid-stream (e.g. `overloaded_error`). */
export function anthropicStreamFailure(event: Record<string, unknown>): GatewayError {
  const error = readRecord(event.error);
  const type = readString(error.type);
  const message = readString(error.message) ?? 'The upstream reported an error in the stream';
  return new GatewayError(codeOfAnthropicType(type), message, {
    ...(type === undefined ? {} : { upstreamType: type }),
  });
}

function codeOfAnthropicType(type: string | undefined): ErrorCode {
  switch (type) {
    case 'overloaded_error':
      return 'upstream_unavailable';
    case 'rate_limit_error':
      return 'upstream_rate_limited';
    case 'timeout_error':
      return 'upstream_timeout';
    default:
      return 'upstream_error';
  }
}
