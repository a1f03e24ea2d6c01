import type { Readable } from 'node:stream';
import { normalizeError, type GatewayError } from '../errors/index.js';
import { parseJsonObject } from './json-body.js';
import { brokenBody, emptyBody, lengthMismatch, payloadTooLarge } from './refusals.js';

export interface BodyLimits {
  readonly bodyLimitBytes: number;
  /** Deepest nesting of arrays and objects accepted in a body. */
  readonly maxJsonDepth: number;
}

export type BodyReading =
  | { readonly type: 'read'; readonly body: Record<string, unknown> }
  /** Too large, empty, or not a JSON object: the caller is answered with `error`. */
  | { readonly type: 'refused'; readonly error: GatewayError }
  /** The body stopped arriving (the caller went away, the connection broke or timed out). */
  | { readonly type: 'broken'; readonly error: GatewayError };

/** JSON, and the `+json` media types, with or without parameters. */
export const jsonMediaType = /^application\/([\w.+-]*\+)?json(\s*;.*)?$/i;

export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && jsonMediaType.test(contentType);
}

/**
 * Reads a request body and parses it as a JSON object, for both HTTP stacks: the model routes
 * and Fastify's content-type parser. A declared length over the limit is refused before reading
 * (Node discards the unread body, so the connection stays usable); a body without one that grows
 * past the limit is refused at once and the connection closed, rather than read to its end.
 * `onRead` is called once.
 */
export function readJsonBody(
  body: Readable,
  declaredLength: string | undefined,
  limits: BodyLimits,
  onRead: (reading: BodyReading) => void,
): void {
  const limit = limits.bodyLimitBytes;
  // NaN when no length was declared (a chunked body).
  const declared = Number(declaredLength);
  if (declared > limit) {
    onRead({ type: 'refused', error: payloadTooLarge(limit) });
    return;
  }
  const chunks: Buffer[] = [];
  let received = 0;
  let settled = false;
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    if (received <= limit) {
      chunks.push(chunk);
      return;
    }
    settled = true;
    body.off('data', onData);
    chunks.length = 0;
    onRead({ type: 'refused', error: payloadTooLarge(limit, { connection: 'close' }) });
  };
  // Also the 'error' listener: an error after the body ended, or after a refusal, changes nothing.
  const onEnd = (error?: Error): void => {
    if (settled) return;
    settled = true;
    if (error !== undefined) onRead({ type: 'broken', error: brokenBody(error) });
    else onRead(parsedBody(chunks, received, declared, limits.maxJsonDepth));
  };
  body.on('data', onData);
  body.on('end', onEnd);
  body.on('error', onEnd);
}

function parsedBody(chunks: Buffer[], received: number, declared: number, maxDepth: number): BodyReading {
  // Node frames a body by its declared length; a transformed stream may not.
  if (!Number.isNaN(declared) && received !== declared) return { type: 'refused', error: lengthMismatch() };
  const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
  if (bytes.length === 0) return { type: 'refused', error: emptyBody() };
  try {
    return { type: 'read', body: parseJsonObject(bytes, maxDepth) };
  } catch (error) {
    return { type: 'refused', error: normalizeError(error) };
  }
}
