import { GatewayError, normalizeError } from '../errors/index.js';
import { emptyBody, lengthMismatch, payloadTooLarge, unsupportedMediaType } from './refusals.js';

/**
 * Fastify's own errors as GatewayErrors: a media type no parser takes, a malformed URL, and (for
 * routes registered on a Fastify with its own body parser, as in unit tests) body limits.
 */
export function fromFrameworkError(error: unknown, bodyLimit: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  switch (code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return payloadTooLarge(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return unsupportedMediaType();
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return emptyBody();
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return lengthMismatch();
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
