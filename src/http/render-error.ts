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
    .send(JSON.stringify(codec.encodeError(error, requestId)));
}
