import { isUtf8 } from 'node:buffer';
import { GatewayError } from '../errors/index.js';

/**
 * Parses a request body as a JSON object. Invalid UTF-8 is rejected rather than silently replaced
 * (RFC 8259 §8.1 requires UTF-8), and the top-level value must be an object.
 */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (!isUtf8(body)) throw new GatewayError('invalid_json', 'The request body is not valid UTF-8.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : '';
    throw new GatewayError('invalid_json', `The request body is not valid JSON${detail}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}
