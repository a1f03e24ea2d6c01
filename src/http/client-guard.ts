import type { IncomingMessage } from 'node:http';
import type { Server } from 'node:net';

/**
 * Limits per client address: open connections, and failed authentications. Both key on
 * the peer address of the TCP connection; behind a proxy that does not keep client addresses
 * (docs/production.md, "Hardening"), every client shares the proxy's.
 */

/**
 * Closes, at once, a connection from an address that already has `max` open (0: no cap). Counted
 * on the raw TCP connection, so with TLS the handshake is never started for the excess. The map
 * holds only addresses with open connections, so it is bounded by the connections themselves.
 */
export function capConnectionsPerAddress(server: Server, max: number): void {
  if (max === 0) return;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

export interface AuthThrottleSettings {
  /** Failures from one address within a window after which it is refused; 0 turns the throttle off. */
  readonly failures: number;
  readonly windowMs: number;
  /** Addresses remembered at most; the least recently failing are forgotten first. */
  readonly maxAddresses?: number;
  readonly now?: () => number;
}

export interface AuthThrottle {
  /** Seconds until `address` may try again, or undefined when it may try now. */
  blockedFor(address: string): number | undefined;
  /** Records a failed authentication (a 401) from `address`. */
  failed(address: string): void;
}

interface Window {
  readonly startedAt: number;
  count: number;
}

/**
 * Fixed windows per address: the `failures`-th 401 within `windowMs` of an address's first one
 * blocks the address until that window ends. A brute force of keys from one address then gets a
 * handful of guesses a minute; callers from other addresses are not affected. Memory is bounded:
 * past `maxAddresses` the oldest window is dropped (a Map keeps insertion order, and a window is
 * re-inserted when it is renewed).
 */
export function createAuthThrottle(settings: AuthThrottleSettings): AuthThrottle | undefined {
  if (settings.failures === 0) return undefined;
  const { failures, windowMs } = settings;
  const maxAddresses = settings.maxAddresses ?? 10_000;
  const now = settings.now ?? Date.now;
  const windows = new Map<string, Window>();

  const current = (address: string, at: number): Window | undefined => {
    const window = windows.get(address);
    if (window === undefined || at - window.startedAt < windowMs) return window;
    windows.delete(address);
    return undefined;
  };

  return {
    blockedFor(address) {
      if (windows.size === 0) return undefined;
      const at = now();
      const window = current(address, at);
      if (window === undefined || window.count < failures) return undefined;
      return Math.max(1, Math.ceil((window.startedAt + windowMs - at) / 1_000));
    },
    failed(address) {
      const at = now();
      const window = current(address, at);
      if (window !== undefined) {
        window.count += 1;
        return;
      }
      if (windows.size >= maxAddresses) {
        const oldest = windows.keys().next();
        if (oldest.done !== true) windows.delete(oldest.value);
      }
      windows.set(address, { startedAt: at, count: 1 });
    },
  };
}

/**
 * For a request refused before its body was read: the body is read and thrown away, up to `limit`
 * bytes, so that the caller, still sending, receives the refusal and the connection stays usable.
 * Closing at once instead would reset the connection under a caller still writing, and its
 * network stack may then drop the refusal unread. Past `limit` the connection is closed: the
 * body would have been refused anyway, and reading it costs what refusing early saves.
 */
export function discardBody(request: IncomingMessage, limit: number): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) request.socket.destroy();
  });
  request.resume();
}
