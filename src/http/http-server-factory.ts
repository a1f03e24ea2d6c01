import {
  createServer as createHttpServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { DialectCodec } from '../dialects/codec.js';
import { GatewayError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import { capConnectionsPerAddress } from './client-guard.js';
import { logRejected } from './log-rejected.js';
import type { RequestIdGenerator } from './request-id.js';
import type { TlsMaterial } from './tls.js';

/** The app settings the server itself takes. */
export interface ServerSettings {
  readonly tls: TlsMaterial | undefined;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** 0: no cap. */
  readonly maxConnectionsPerAddress: number;
}

/**
 * The server under Fastify: plain or TLS, with the configured timeouts and the per-address
 * connection cap, serving the model routes itself (decision 0006) and handing the rest to Fastify;
 * and the answers to requests that never reach a route.
 */

/** The dialect of a request's errors, by its path. */
export function dialectOfUrl(url: string): Dialect {
  return url.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}

/** A request line's dialect, for errors written before Fastify has a request (bad headers). */
function dialectOfPacket(packet: Buffer | undefined): Dialect {
  const line = packet?.subarray(0, 256).toString('latin1') ?? '';
  return / \/v1\/messages[ ?/]/.test(line) ? 'anthropic' : 'openai';
}

/**
 * The server's own timeouts. Fastify drops its timeout options when it is given a `serverFactory`,
 * so they are set here, on the server that listens. Node checks them every
 * `connectionsCheckingInterval` (30 s by default, too coarse for a timeout of seconds).
 */
function serverOptions(settings: ServerSettings): ServerOptions {
  // Node refuses a headers timeout above the request timeout; the headers are part of the request.
  const headersTimeout = Math.min(settings.headersTimeoutMs, settings.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, Math.floor(headersTimeout / 4))),
  };
}

/** What a client error (no request reached a route) is answered with. */
function clientErrorKind(code: string | undefined): { status: number; reason: string; message: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        message: 'The request headers are too large.',
      };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        reason: 'Request Timeout',
        message: 'The request did not arrive within the server’s headers or request timeout.',
      };
    default:
      return { status: 400, reason: 'Bad Request', message: 'The request is malformed.' };
  }
}

export function createServerFactory(
  settings: ServerSettings,
  serveModelRoute: (request: IncomingMessage, response: ServerResponse) => boolean,
): (fastifyHandler: RequestListener) => Server {
  return (fastifyHandler) => {
    const handler: RequestListener = (request, response) => {
      if (!serveModelRoute(request, response)) fastifyHandler(request, response);
    };
    const options = serverOptions(settings);
    const server =
      settings.tls === undefined
        ? createHttpServer(options, handler)
        : createHttpsServer({ ...options, ...settings.tls }, handler);
    // Not every Node version takes it as an option.
    server.keepAliveTimeout = settings.keepAliveTimeoutMs;
    capConnectionsPerAddress(server, settings.maxConnectionsPerAddress);
    return server;
  };
}

export interface ClientErrorDependencies {
  readonly codecs: Readonly<Record<Dialect, DialectCodec>>;
  readonly newRequestId: RequestIdGenerator;
  readonly logger: Logger;
}

/**
 * Malformed requests (oversized headers, bad request lines) never reach a route, and a request
 * that did not arrive within the headers or request timeout is cut off: answered in the dialect
 * of the request line, and the connection closed, since its state is unknown.
 */
export function createClientErrorHandler(dependencies: ClientErrorDependencies) {
  const { codecs, newRequestId, logger } = dependencies;
  return (error: Error, socket: Socket): void => {
    const { code, rawPacket } = error as unknown as { code?: string; rawPacket?: Buffer };
    // Node keeps the response in progress on the socket; its request tells the dialect of a
    // request that timed out while its body was arriving.
    const current = (socket as unknown as { _httpMessage?: ServerResponse })._httpMessage;
    if (current?.headersSent === true) {
      // An answer is already on its way (a refusal sent before the body was read): cut it short.
      socket.destroy();
      return;
    }
    const kind = clientErrorKind(code);
    const gatewayError = new GatewayError('invalid_request', kind.message, { status: kind.status });
    const requestId = newRequestId();
    const dialect =
      current?.req.url === undefined ? dialectOfPacket(rawPacket) : dialectOfUrl(current.req.url);
    const body = JSON.stringify(codecs[dialect].encodeError(gatewayError, requestId));
    if (socket.writable) {
      socket.end(
        `HTTP/1.1 ${gatewayError.status} ${kind.reason}\r\n` +
          `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
          `x-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`,
      );
    } else {
      socket.destroy();
    }
    logRejected(logger, requestId, undefined, gatewayError);
  };
}
