import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * Real receivers for notification channels, on 127.0.0.1: an HTTP server that records every
 * request and answers as scripted (Slack, a webhook, PagerDuty's Events API), and an SMTP server
 * (the `smtp-server` package) that records every message it accepts.
 */

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  readonly body: string;
  /** Date.now() when the body had arrived. */
  readonly at: number;
}

export type Answer =
  | { readonly status: number; readonly headers?: Readonly<Record<string, string>>; readonly body?: string }
  /** Never answer (the connection stays open until the receiver closes). */
  | 'hang';

export interface HttpReceiver {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Resolves once `count` requests have arrived; a hang fails after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** `answer` is asked for each request with its index (0 for the first). */
export async function startHttpReceiver(
  answer: (index: number, request: ReceivedRequest) => Answer = () => ({ status: 200, body: 'ok' }),
): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const received: ReceivedRequest = {
        method: incoming.method ?? '',
        path: incoming.url ?? '',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const reply = answer(requests.length, received);
      requests.push(received);
      for (const wake of waiters) wake();
      if (reply === 'hang') return;
      outgoing.writeHead(reply.status, reply.headers ?? {});
      outgoing.end(reply.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (requests.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${requests.length} of ${count} requests within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedMail {
  readonly from: string;
  readonly to: readonly string[];
  /** The login the client used, if any. */
  readonly user: string | undefined;
  /** Whether the connection was encrypted when the message was sent. */
  readonly secure: boolean;
  readonly raw: string;
  /** A header of the message, unfolded (`Subject`, `To`). */
  header(name: string): string | undefined;
  /** The message body (after the blank line), transfer encoding undone for quoted-printable. */
  readonly text: string;
}

export interface SmtpReceiver {
  readonly port: number;
  readonly mails: ReceivedMail[];
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** Require this login (over a plain connection too: the test server allows it). */
  readonly login?: { readonly user: string; readonly password: string };
  /** Serve this certificate: for STARTTLS, or from the first byte with `secure`. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly secure?: boolean;
  /** Offer STARTTLS (default true when `tls` is given). */
  readonly starttls?: boolean;
}

export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const waiters = new Set<() => void>();
  const { login } = options;
  const settings: SMTPServerOptions = {
    secure: options.secure ?? false,
    ...(options.tls === undefined ? {} : { key: options.tls.key, cert: options.tls.cert }),
    disabledCommands: options.starttls === false || options.tls === undefined ? ['STARTTLS'] : [],
    authOptional: login === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (login !== undefined && auth.username === login.user && auth.password === login.password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(new Error('Invalid username or password'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        mails.push(parseMail(Buffer.concat(chunks).toString('utf8'), session));
        for (const wake of waiters) wake();
        callback();
      });
    },
  };
  const server = new SMTPServer(settings);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    port,
    mails,
    waitFor(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (mails.length < count) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${mails.length} of ${count} messages within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

type Session = Parameters<NonNullable<SMTPServerOptions['onData']>>[1];

function parseMail(raw: string, session: Session): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  const quotedPrintable = /quoted-printable/i.test(headers.get('content-transfer-encoding') ?? '');
  return {
    from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
    to: session.envelope.rcptTo.map((recipient) => recipient.address),
    user: typeof session.user === 'string' ? session.user : undefined,
    secure: session.secure,
    raw,
    header: (name) => headers.get(name.toLowerCase()),
    text: quotedPrintable ? decodeQuotedPrintable(body) : body,
  };
}

function decodeQuotedPrintable(text: string): string {
  return Buffer.from(
    text
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8');
}

export { selfSignedCertificate } from './tls-certificate.js';
