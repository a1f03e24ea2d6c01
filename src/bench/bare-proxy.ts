import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

/**
 * The floor for any Node.js proxy: node:http in, an undici Pool out, headers copied, bodies piped
 * both ways, nothing parsed, nothing logged. Whatever the gateway costs above this is the price of
 * its features and of its framework; what this costs is the price of Node.js itself.
 */

export interface BareProxyOptions {
  /** Where every request goes: its origin is used, the request's own path is kept. */
  readonly upstreamUrl: string;
  readonly port?: number;
  readonly host?: string;
  /** Upstream connections kept alive; the gateway's default `max_connections`, for a fair floor. */
  readonly connections?: number;
}

export interface BareProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** RFC 9110 section 7.6.1: connection-specific headers are not forwarded; undici refuses most. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'host',
  'expect',
]);

function forwardedRequestHeaders(rawHeaders: readonly string[]): string[] {
  const headers: string[] = [];
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] ?? '';
    if (!hopByHop.has(name.toLowerCase())) headers.push(name, rawHeaders[index + 1] ?? '');
  }
  return headers;
}

function forwardedResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const forwarded: IncomingHttpHeaders = {};
  for (const name of Object.keys(headers)) {
    if (!hopByHop.has(name)) forwarded[name] = headers[name];
  }
  return forwarded;
}

function forward(pool: Pool, request: IncomingMessage, response: ServerResponse): void {
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  pool.stream(
    {
      method: request.method as 'POST',
      path: request.url ?? '/',
      headers: forwardedRequestHeaders(request.rawHeaders),
      body: hasBody ? request : null,
    },
    ({ statusCode, headers }) => {
      response.writeHead(statusCode, forwardedResponseHeaders(headers));
      return response;
    },
    (error) => {
      if (error === null) return;
      if (response.headersSent) {
        response.destroy();
      } else {
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`bare proxy: ${error.message}\n`);
      }
    },
  );
}

export async function startBareProxy(options: BareProxyOptions): Promise<BareProxy> {
  const upstream = new URL(options.upstreamUrl);
  const pool = new Pool(upstream.origin, {
    connections: options.connections ?? 256,
    pipelining: 1,
    // Idle upstream connections outlive the pause between two runs, so runs reuse them.
    keepAliveTimeout: 60_000,
  });
  // Above common load-balancer and client idle timeouts, as the gateway's own default.
  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) =>
    forward(pool, request, response),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await pool.close();
    },
  };
}
