import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Ids a caller may set: short and header-safe, so echoing them back cannot inject anything. */
const acceptable = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` (or Anthropic's `request-id`) when acceptable, else a new one. */
export function requestIdOf(request: IncomingMessage): string {
  const offered = request.headers['x-request-id'] ?? request.headers['request-id'];
  return typeof offered === 'string' && acceptable.test(offered) ? offered : newRequestId();
}

/** A new request id (`req_` and 32 hex digits). */
export function newRequestId(): string {
  return `req_${randomUUID().replaceAll('-', '')}`;
}
