import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy a test controls, to put between the gateway and Postgres or Redis and take the
 * connection away: `cut()` destroys every open connection and stops listening (new connections are
 * refused, as from a server that went down), `restore()` listens again on the same port, so the
 * clients' own reconnection finds the server back without being reconfigured.
 */
export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Connections open through the proxy now. */
  connections(): number;
  /** Connections accepted since the proxy started (a client reconnecting shows up here). */
  accepted(): number;
  isCut(): boolean;
  cut(): Promise<void>;
  /**
   * Arms a cut at the worst moment: once a client sends a chunk for which `trigger` holds (given
   * the chunk and what that connection sent before it, as latin1 text), the chunk is passed on,
   * every answer from then on is held back for `holdMs` (the server acts on the request, the
   * client never hears of it), and then the proxy cuts. Resolves once it has cut.
   */
  cutAfterRequest(trigger: (chunk: string, sentBefore: string) => boolean, holdMs?: number): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export interface TcpProxyTarget {
  readonly host: string;
  readonly port: number;
}

export async function startTcpProxy(target: TcpProxyTarget): Promise<TcpProxy> {
  const host = '127.0.0.1';
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let accepted = 0;

  let armed:
    { trigger: (chunk: string, sentBefore: string) => boolean; holdMs: number; done: () => void } | undefined;
  /** While true nothing passes in either direction (an armed cut is about to happen). */
  let frozen = false;

  function pipe(downstream: Socket): void {
    accepted += 1;
    const upstream = connect(target.port, target.host);
    for (const socket of [downstream, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      // A cut connection errors on both sides; the close handler below cleans up.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        downstream.destroy();
        upstream.destroy();
      });
    }
    /** What this connection sent lately (bounded), for `cutAfterRequest` triggers. */
    let sent = '';
    downstream.on('data', (chunk: Buffer) => {
      if (frozen) return;
      upstream.write(chunk);
      const text = chunk.toString('latin1');
      const trigger = armed;
      if (trigger !== undefined && trigger.trigger(text, sent)) {
        armed = undefined;
        frozen = true;
        setTimeout(() => void cut().then(trigger.done), trigger.holdMs);
      }
      sent = (sent + text).slice(-16_384);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!frozen) downstream.write(chunk);
    });
  }

  function listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const created = createServer(pipe);
      created.once('error', reject);
      created.listen(port, host, () => {
        created.off('error', reject);
        frozen = false;
        port = (created.address() as AddressInfo).port;
        server = created;
        resolve();
      });
    });
  }

  async function cut(): Promise<void> {
    const listening = server;
    server = undefined;
    const closed =
      listening === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => listening.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  }

  await listen();
  return {
    host,
    get port() {
      return port;
    },
    connections: () => Math.ceil(sockets.size / 2),
    accepted: () => accepted,
    isCut: () => server === undefined,
    cut,
    async restore() {
      if (server === undefined) await listen();
    },
    cutAfterRequest(trigger, holdMs = 300) {
      return new Promise((resolve) => {
        armed = { trigger, holdMs, done: resolve };
      });
    },
    close: cut,
  };
}
