import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { DialectCodec } from '../dialects/codec.js';
import type { GatewayError } from '../errors/index.js';

/**
 * The single place where a GatewayError becomes an HTTP response, in the caller's dialect. The
 * message is the error's own (written for the caller); causes and stacks never leave the process.
 */
export function renderError(
  reply: FastifyReply,
  codec: DialectCodec,
  error: GatewayError,
  requestId: string,
): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply
    .code(error.status)
    .header('content-type', 'application/json')
    .send(errorBody(codec, error, requestId));
}

/** The same on a plain Node response (the model routes), after `headers` of the caller's own. */
export function writeError(
  response: ServerResponse,
  codec: DialectCodec,
  error: GatewayError,
  requestId: string,
  headers: OutgoingHttpHeaders,
): void {
  const body = errorBody(codec, error, requestId);
  response.writeHead(error.status, {
    ...headers,
    ...error.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

function errorBody(codec: DialectCodec, error: GatewayError, requestId: string): string {
  return JSON.stringify(codec.encodeError(error, requestId));
}
