import { GatewayError, normalizeError } from '../errors/index.js';

/** Fastify's own errors (body parsing, limits, media types) as GatewayErrors. */
export function fromFrameworkError(error: unknown, bodyLimit: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError(
        'payload_too_large',
        `The request body is larger than the limit of ${bodyLimit} bytes.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError(
        'unsupported_media_type',
        'The request body must be JSON (Content-Type: application/json).',
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('invalid_json', 'The request body is empty; it must be a JSON object.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError('invalid_request', 'The Content-Length header does not match the body.');
    case 'FST_ERR_BAD_URL':
      return new GatewayError('invalid_request', 'The request URL is malformed.');
    default:
      break;
  }
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error ? Number(error.statusCode) : 500;
  if (status >= 400 && status < 500) {
    return new GatewayError('invalid_request', 'The request is malformed.', { status, cause: error });
  }
  return normalizeError(error);
}
