import { GatewayError } from '../errors/index.js';
import type { AuthThrottle } from './client-guard.js';

/**
 * The refusals both HTTP stacks give (the model routes on node:http, and Fastify's hooks and
 * content-type parser for everything else), each written once so the two cannot drift apart.
 */

/** While the gateway drains; the connection is closed so that the client reconnects elsewhere. */
export function drainingRefusal(isDraining: () => boolean): GatewayError | undefined {
  if (!isDraining()) return undefined;
  return new GatewayError('service_unavailable', 'The gateway is shutting down; retry on another replica.', {
    headers: { connection: 'close' },
  });
}

/** An address that failed to authenticate too often, whatever key it sends now. */
export function throttledRefusal(
  throttle: AuthThrottle | undefined,
  address: string,
): GatewayError | undefined {
  const retryAfter = throttle?.blockedFor(address);
  if (retryAfter === undefined) return undefined;
  return new GatewayError(
    'rate_limited',
    'Too many failed authentications from this address; try again later.',
    {
      headers: { 'retry-after': String(retryAfter) },
    },
  );
}

export function methodNotAllowed(message: string, allow: string): GatewayError {
  return new GatewayError('method_not_allowed', message, { headers: { allow } });
}

export function unsupportedMediaType(): GatewayError {
  return new GatewayError(
    'unsupported_media_type',
    'The request body must be JSON (Content-Type: application/json).',
  );
}

/** `headers`: `connection: close` when the rest of the body is left unread on the connection. */
export function payloadTooLarge(limit: number, headers: Readonly<Record<string, string>> = {}): GatewayError {
  return new GatewayError(
    'payload_too_large',
    `The request body is larger than the limit of ${limit} bytes.`,
    {
      headers,
    },
  );
}

export function emptyBody(): GatewayError {
  return new GatewayError('invalid_json', 'The request body is empty; it must be a JSON object.');
}

export function lengthMismatch(): GatewayError {
  return new GatewayError('invalid_request', 'The Content-Length header does not match the body.');
}

/** A body that stopped arriving (the caller went away, the connection broke). */
export function brokenBody(cause: unknown): GatewayError {
  return new GatewayError('invalid_request', 'The request is malformed.', { status: 400, cause });
}
