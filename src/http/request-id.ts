import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Makes a new request id each call. */
export type RequestIdGenerator = () => string;

/** Ids a caller may set: short and header-safe, so echoing them back cannot inject anything. */
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` (or Anthropic's `request-id`) when acceptable, else a new one. */
export function requestIdOf(request: IncomingMessage, newRequestId: RequestIdGenerator): string {
  const offered = request.headers['x-request-id'] ?? request.headers['request-id'];
  return typeof offered === 'string' && acceptable.test(offered) ? offered : newRequestId();
}

/**
 * Request ids are `req_` and 32 hex digits: 16 random to this generator (one per process), then a
 * 16-digit counter. Unique across replicas and restarts without drawing randomness per request;
 * they are identifiers, not secrets.
 */
export function createRequestIdGenerator(): RequestIdGenerator {
  const processPart = randomBytes(8).toString('hex');
  let counter = 0;
  return () => {
    counter++;
    return `req_${processPart}${counter.toString(16).padStart(16, '0')}`;
  };
}
