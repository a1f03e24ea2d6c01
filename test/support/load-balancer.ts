import {
  Agent,
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP load balancer for tests, standing in for the nginx of deploy/compose: round-robin
 * over the upstreams, the method, headers and body passed through, the answer streamed back as it
 * arrives (nginx `proxy_buffering off`), idle connections to the upstreams kept open (nginx
 * `keepalive`).
 *
 * A request goes to the next upstream, as nginx does with
 * `proxy_next_upstream error http_503 non_idempotent` and `proxy_next_upstream_tries` equal to the
 * number of upstreams, when the chosen one
 *
 * - fails at the connection level before any response header: the connection is refused, or reset
 *   or closed while the request is sent or before the status line arrives (nginx `error`); or
 * - answers 503 (nginx `http_503`), which is discarded: nothing of it reaches the caller.
 *
 * Once an upstream's status line other than 503 has arrived the answer is the caller's and is never
 * replayed, however it ends. The request body is read whole before the first attempt (nginx
 * `proxy_request_buffering on`, its default), since a body that was streamed cannot be replayed.
 * When every upstream has been tried, the last 503 is passed on, or 502 when none answered.
 */

export interface LoadBalancerAttempt {
  /** The upstream's name. */
  readonly upstream: string;
  readonly method: string;
  readonly path: string;
  /** `response` when the answer went to the caller; otherwise why the next upstream was tried. */
  readonly outcome: 'response' | 'status-503' | 'connection-refused' | 'connection-error';
  /** The status passed on, or the connection error's code. */
  readonly detail: string;
  readonly at: number;
}

export interface LoadBalancer {
  readonly url: string;
  /** Every attempt so far, in order. */
  attempts(): readonly LoadBalancerAttempt[];
  /** `x-request-id`s of answers an upstream is still sending. */
  inFlight(upstream: string): readonly string[];
  close(): Promise<void>;
}

export interface Upstream {
  readonly name: string;
  /** `http://host:port`. */
  readonly url: string;
}

/** The header each answer carries naming the upstream that produced it. */
export const upstreamHeader = 'x-test-upstream';

/** Hop-by-hop headers (RFC 9110 section 7.6.1) are the proxy's own, never forwarded. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const listed = new Set(
    (headers.connection ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter((name) => name !== ''),
  );
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !hopByHop.has(name) && !listed.has(name)) result[name] = value;
  }
  return result;
}

type AttemptResult =
  | { readonly kind: 'response'; readonly response: IncomingMessage }
  | { readonly kind: 'failed'; readonly code: string };

export async function startLoadBalancer(upstreams: readonly Upstream[]): Promise<LoadBalancer> {
  if (upstreams.length === 0) throw new Error('a load balancer needs upstreams');
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const attempts: LoadBalancerAttempt[] = [];
  const inFlight = new Map<string, Set<string>>(upstreams.map((upstream) => [upstream.name, new Set()]));
  let next = 0;

  function attempt(
    upstream: Upstream,
    incoming: IncomingMessage,
    body: Buffer,
    clientGone: AbortSignal,
  ): Promise<AttemptResult> {
    const target = new URL(incoming.url ?? '/', upstream.url);
    const headers = forwardable(incoming.headers);
    headers['content-length'] = body.length;
    const forwardedFor = incoming.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] =
      typeof headers['x-forwarded-for'] === 'string'
        ? `${headers['x-forwarded-for']}, ${forwardedFor}`
        : forwardedFor;
    return new Promise((resolve) => {
      let settled = false;
      const outgoing = httpRequest(target, {
        method: incoming.method,
        headers,
        agent,
        signal: clientGone,
      });
      outgoing.once('response', (response) => {
        settled = true;
        resolve({ kind: 'response', response });
      });
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // After the status line, errors belong to the response being relayed (handled there).
        if (settled) return;
        settled = true;
        resolve({ kind: 'failed', code: error.code ?? error.message });
      });
      if (body.length === 0) outgoing.end();
      else outgoing.end(body);
    });
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = incoming.method ?? 'GET';
    const path = incoming.url ?? '/';
    const clientGone = new AbortController();
    outgoing.once('close', () => {
      if (!outgoing.writableFinished) clientGone.abort();
    });

    const start = next;
    next = (next + 1) % upstreams.length;
    let lastFailure = 'no upstream answered';
    for (let tried = 0; tried < upstreams.length; tried++) {
      const upstream = upstreams[(start + tried) % upstreams.length] as Upstream;
      const last = tried === upstreams.length - 1;
      const result = await attempt(upstream, incoming, body, clientGone.signal);
      if (clientGone.signal.aborted) {
        if (result.kind === 'response') result.response.destroy();
        return;
      }
      if (result.kind === 'failed') {
        attempts.push({
          upstream: upstream.name,
          method,
          path,
          outcome: result.code === 'ECONNREFUSED' ? 'connection-refused' : 'connection-error',
          detail: result.code,
          at: Date.now(),
        });
        lastFailure = `${upstream.name}: ${result.code}`;
        continue;
      }
      const { response } = result;
      if (response.statusCode === 503 && !last) {
        attempts.push({
          upstream: upstream.name,
          method,
          path,
          outcome: 'status-503',
          detail: '503',
          at: Date.now(),
        });
        response.resume();
        continue;
      }
      attempts.push({
        upstream: upstream.name,
        method,
        path,
        outcome: 'response',
        detail: String(response.statusCode),
        at: Date.now(),
      });
      relay(upstream, response, outgoing);
      return;
    }
    const text = `${JSON.stringify({ error: { message: `load balancer: ${lastFailure}`, type: 'bad_gateway' } })}\n`;
    outgoing.writeHead(502, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    outgoing.end(text);
  }

  function relay(upstream: Upstream, response: IncomingMessage, outgoing: ServerResponse): void {
    const requestId = String(response.headers['x-request-id'] ?? '');
    const streaming = inFlight.get(upstream.name) as Set<string>;
    streaming.add(requestId);
    response.once('close', () => streaming.delete(requestId));
    outgoing.writeHead(response.statusCode ?? 502, response.statusMessage, {
      ...forwardable(response.headers),
      [upstreamHeader]: upstream.name,
    });
    // Every chunk is forwarded as it arrives; an upstream that breaks off mid-answer breaks the
    // caller's connection off too (as nginx does), so the caller sees a truncated answer.
    response.on('data', (chunk: Buffer) => outgoing.write(chunk));
    response.once('end', () => outgoing.end());
    response.once('error', () => outgoing.destroy());
    response.once('close', () => {
      if (!response.complete) outgoing.destroy();
    });
    outgoing.once('close', () => {
      if (!response.complete) response.destroy();
    });
  }

  const server = createServer((incoming, outgoing) => {
    handle(incoming, outgoing).catch(() => outgoing.destroy());
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    attempts: () => attempts,
    inFlight: (name) => [...(inFlight.get(name) ?? [])],
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
