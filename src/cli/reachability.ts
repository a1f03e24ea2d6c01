import { connect } from 'node:net';

/**
 * Opens a TCP connection to a service URL's host and port. Until the Redis and database clients
 * exist (they arrive with their stores), reachability is what `check` can prove about them.
 */
export function checkTcp(url: string, defaultPort: number, timeoutMs: number): Promise<string | undefined> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return Promise.resolve('not a valid URL');
  }
  const port = parsed.port === '' ? defaultPort : Number(parsed.port);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer from ${host}:${port} within ${timeoutMs} ms`);
    });
    socket.once('error', (error) => resolve(`${host}:${port}: ${error.message}`));
  });
}
