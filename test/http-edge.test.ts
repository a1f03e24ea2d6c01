import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli, testMasterKey } from './support/cli.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/http.js';

/**
 * The HTTP edge, replayed over real sockets against a running gateway: the key is
 * checked before a body is read, JSON nesting is capped, the configured server timeouts are the
 * ones in force, connections per address and failed authentications are bounded, unsupported
 * methods answer 405, and a start that cannot bind exits.
 */

/** One raw HTTP exchange on its own socket: what the gateway wrote, and when it closed. */
interface RawExchange {
  readonly socket: Socket;
  /** Everything received so far. */
  received(): string;
  /** Resolves once a complete response head has arrived (or rejects after `timeoutMs`). */
  head(timeoutMs?: number): Promise<{ status: number; headers: Record<string, string>; body: string }>;
  readonly closed: Promise<void>;
}

function open(port: number): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    const waiters = new Set<() => void>();
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      for (const waiter of waiters) waiter();
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((done) =>
      socket.once('close', () => {
        for (const waiter of waiters) waiter();
        done();
      }),
    );
    socket.once('connect', () =>
      resolve({
        socket,
        received: () => data,
        closed,
        head: (timeoutMs = 5_000) =>
          new Promise((done, fail) => {
            const check = (): void => {
              const end = data.indexOf('\r\n\r\n');
              if (end === -1) {
                if (socket.destroyed) finish(() => fail(new Error(`closed without a response: ${data}`)));
                return;
              }
              const [statusLine = '', ...lines] = data.slice(0, end).split('\r\n');
              const headers: Record<string, string> = {};
              for (const line of lines) {
                const colon = line.indexOf(':');
                headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
              }
              const body = data.slice(end + 4);
              const length = Number(headers['content-length'] ?? body.length);
              if (body.length < length) return;
              finish(() => done({ status: Number(statusLine.split(' ')[1]), headers, body }));
            };
            const timer = setTimeout(
              () => finish(() => fail(new Error(`no response within ${timeoutMs} ms: ${data}`))),
              timeoutMs,
            );
            const finish = (settle: () => void): void => {
              clearTimeout(timer);
              waiters.delete(check);
              settle();
            };
            waiters.add(check);
            check();
          }),
      }),
    );
    socket.once('error', reject);
  });
}

const chat = JSON.stringify({ model: 'mock', messages: [{ role: 'user', content: 'hello' }] });
const anthropicChat = JSON.stringify({
  model: 'mock',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'hello' }],
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the key is checked before the body is read; JSON nesting is capped', () => {
  let gateway: TestGateway;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({ server: { max_json_depth: 32 } });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  afterAll(async () => {
    await gateway.close();
  });

  /** Sends the head of a 10 MB body and its first 64 KiB, never the rest. */
  async function unfinishedBody(path: string, headers: Record<string, string>): Promise<RawExchange> {
    const exchange = await open(gateway.port);
    sockets.push(exchange.socket);
    const lines = Object.entries({
      host: `127.0.0.1:${gateway.port}`,
      'content-type': 'application/json',
      'content-length': String(10 * 1024 * 1024 - 1),
      ...headers,
    }).map(([name, value]) => `${name}: ${value}`);
    exchange.socket.write(`POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`);
    exchange.socket.write('['.repeat(64 * 1024));
    return exchange;
  }

  it.each([
    ['/v1/chat/completions', 'openai', {}],
    ['/v1/chat/completions', 'openai', { authorization: 'Bearer gh-wrong-key-0123456789abcdef' }],
    ['/v1/embeddings', 'openai', {}],
    ['/v1/messages', 'anthropic', { 'x-api-key': 'sk-ant-wrong' }],
    ['/admin/keys', 'openai', {}],
  ] as const)(
    'POST %s (%s dialect, %o) is answered 401 before the client finished sending the body',
    async (path, dialect, headers) => {
      const exchange = await unfinishedBody(path, headers);
      const response = await exchange.head(3_000);
      expect(response.status).toBe(401);
      const body = JSON.parse(response.body) as Record<string, unknown>;
      if (dialect === 'anthropic') expect(body.type).toBe('error');
      else expect(Object.keys(body)).toEqual(['error']);
      // The rest of the body is discarded unparsed and the connection stays usable.
      expect(response.headers.connection).not.toBe('close');
      const before = exchange.received().length;
      const rest = Buffer.alloc(10 * 1024 * 1024 - 1 - 64 * 1024, '[');
      exchange.socket.write(rest);
      exchange.socket.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
      await expect
        .poll(() => exchange.received().slice(before), { timeout: 5_000 })
        .toMatch(/^HTTP\/1\.1 200/);
    },
  );

  it('/health answers at once while eight unauthenticated 10 MB deep bodies are being sent', async () => {
    const exchanges = await Promise.all(
      Array.from({ length: 8 }, () => unfinishedBody('/v1/chat/completions', {})),
    );
    // Keep sending deep nesting on every connection while /health is asked.
    const chunk = '['.repeat(256 * 1024);
    const pump = setInterval(() => {
      for (const exchange of exchanges) if (!exchange.socket.destroyed) exchange.socket.write(chunk);
    }, 5);
    try {
      const started = performance.now();
      const health = await rawRequest(`${gateway.url}/health`, { method: 'GET' });
      expect(health.status).toBe(200);
      expect(performance.now() - started).toBeLessThan(2_000);
      for (const exchange of exchanges) expect((await exchange.head(3_000)).status).toBe(401);
    } finally {
      clearInterval(pump);
    }
  });

  function deep(depth: number): string {
    return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  }

  it.each([
    ['/v1/chat/completions', 'openai'],
    ['/v1/messages', 'anthropic'],
    ['/admin/keys', 'openai'],
  ] as const)(
    'an authenticated body nested past the depth limit on %s (%s) is a 400 naming it',
    async (path, _dialect) => {
      const body = `{"model":"mock","messages":[{"role":"user","content":"hi"}],"x":${deep(100_000)}}`;
      const response = await rawRequest(`${gateway.url}${path}`, {
        headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
        body,
      });
      expect(response.status, response.text).toBe(400);
      expect(response.text).toMatch(/nest/i);
      expect(response.text).toMatch(/\b32\b/);
    },
  );

  it('brackets inside strings do not count, and nesting within the limit is accepted', async () => {
    // The body object is one level and `x` thirty more: 31, under the limit of 32.
    const content = `${'['.repeat(5_000)}{{{`;
    const body = `{"model":"mock","messages":[{"role":"user","content":${JSON.stringify(content)}}],"x":${deep(30)}}`;
    const response = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
      body,
    });
    expect(response.text).not.toMatch(/nest/i);
    expect(response.status, response.text).toBe(200);
  });
});

describe('the configured server timeouts are the ones in force', () => {
  let gateway: TestGateway;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({
      server: { keep_alive_timeout_ms: 2_000, headers_timeout_ms: 1_000, request_timeout_ms: 1_000 },
    });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  afterAll(async () => {
    await gateway.close();
  });

  async function connection(): Promise<RawExchange> {
    const exchange = await open(gateway.port);
    sockets.push(exchange.socket);
    return exchange;
  }

  const getHealth = `GET /health HTTP/1.1\r\nhost: x\r\n\r\n`;

  it('a keep-alive connection idle 1.5 s (keep-alive 2 s) is still usable', async () => {
    const exchange = await connection();
    exchange.socket.write(getHealth);
    expect((await exchange.head()).status).toBe(200);
    await sleep(1_500);
    expect(exchange.socket.destroyed).toBe(false);
    const before = exchange.received().length;
    exchange.socket.write(getHealth);
    await expect.poll(() => exchange.received().length > before + 100, { timeout: 2_000 }).toBe(true);
    expect(exchange.received().slice(before)).toMatch(/^HTTP\/1\.1 200/);
  });

  it('a keep-alive connection idle past 2 s is closed by the gateway, not held for Node’s 5 s', async () => {
    const exchange = await connection();
    exchange.socket.write(getHealth);
    expect((await exchange.head()).status).toBe(200);
    const idleSince = performance.now();
    await exchange.closed;
    const idle = performance.now() - idleSince;
    expect(idle).toBeGreaterThan(1_800);
    expect(idle).toBeLessThan(4_500);
  });

  it.each([
    ['/v1/chat/completions', 'openai'],
    ['/v1/messages', 'anthropic'],
    ['/admin/keys', 'openai'],
  ] as const)(
    'a chunked body that trickles into %s gets 408 after the request timeout',
    async (path, dialect) => {
      const exchange = await connection();
      exchange.socket.write(
        `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
          `authorization: Bearer ${gateway.masterKey}\r\ntransfer-encoding: chunked\r\n\r\n1\r\n{\r\n`,
      );
      const trickle = setInterval(() => {
        if (!exchange.socket.destroyed) exchange.socket.write('1\r\n \r\n');
      }, 100);
      try {
        const started = performance.now();
        const response = await exchange.head(6_000);
        expect(response.status).toBe(408);
        expect(performance.now() - started).toBeLessThan(5_000);
        const body = JSON.parse(response.body) as Record<string, unknown>;
        if (dialect === 'anthropic') expect(body.type).toBe('error');
        else expect(Object.keys(body)).toEqual(['error']);
        await exchange.closed;
      } finally {
        clearInterval(trickle);
      }
    },
  );

  it('headers that trickle get 408 after the headers timeout', async () => {
    const exchange = await connection();
    exchange.socket.write('GET /health HTTP/1.1\r\nhost: x\r\n');
    const trickle = setInterval(() => {
      if (!exchange.socket.destroyed) exchange.socket.write('x-slow: 1\r\n');
    }, 100);
    try {
      const response = await exchange.head(6_000);
      expect(response.status).toBe(408);
      await exchange.closed;
    } finally {
      clearInterval(trickle);
    }
  });
});

describe('connections per address, failed authentications, unsupported methods', () => {
  let gateway: TestGateway;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    gateway = await startTestGateway({
      server: {
        max_connections_per_address: 5,
        auth_failures_per_address: 5,
        auth_failure_window_ms: 1_500,
      },
    });
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });
  afterAll(async () => {
    await gateway.close();
  });

  it('connections from one address past the cap are refused; closing one makes room', async () => {
    const held: RawExchange[] = [];
    for (let index = 0; index < 5; index += 1) {
      const exchange = await open(gateway.port);
      sockets.push(exchange.socket);
      exchange.socket.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
      expect((await exchange.head()).status).toBe(200);
      held.push(exchange);
    }
    const excess = await open(gateway.port);
    sockets.push(excess.socket);
    excess.socket.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
    await excess.closed;
    expect(excess.received()).toBe('');

    held[0]?.socket.destroy();
    await held[0]?.closed;
    await expect
      .poll(
        async () => {
          const response = await rawRequest(`${gateway.url}/health`, { method: 'GET' }).catch(
            () => undefined,
          );
          return response?.status;
        },
        { timeout: 2_000 },
      )
      .toBe(200);
  });

  it('repeated failed authentications from one address are throttled with 429 and retry-after, then expire', async () => {
    const wrong = {
      authorization: 'Bearer gh-wrong-key-0123456789abcdef',
      'content-type': 'application/json',
    };
    for (let index = 0; index < 5; index += 1) {
      const response = await rawRequest(`${gateway.url}/v1/chat/completions`, { headers: wrong, body: chat });
      expect(response.status).toBe(401);
    }
    const throttled = await rawRequest(`${gateway.url}/v1/chat/completions`, { headers: wrong, body: chat });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Object.keys(JSON.parse(throttled.text) as object)).toEqual(['error']);
    // Every authenticated route from this address, in the caller's dialect; the key is not even tried.
    const anthropic = await rawRequest(`${gateway.url}/v1/messages`, {
      headers: { 'x-api-key': gateway.masterKey, 'content-type': 'application/json' },
      body: anthropicChat,
    });
    expect(anthropic.status).toBe(429);
    expect((JSON.parse(anthropic.text) as { type: string }).type).toBe('error');
    const admin = await rawRequest(`${gateway.url}/admin/keys`, {
      method: 'GET',
      headers: { authorization: `Bearer ${gateway.masterKey}` },
    });
    expect(admin.status).toBe(429);
    // Liveness is not an authenticated route: probes keep working.
    expect((await rawRequest(`${gateway.url}/health`, { method: 'GET' })).status).toBe(200);

    await sleep(1_700);
    const after = await rawRequest(`${gateway.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
      body: chat,
    });
    expect(after.status, after.text).toBe(200);
  });

  it.each([
    ['GET', '/v1/chat/completions', 'POST', 'openai'],
    ['PUT', '/chat/completions', 'POST', 'openai'],
    ['GET', '/v1/embeddings', 'POST', 'openai'],
    ['DELETE', '/v1/messages', 'POST', 'anthropic'],
    ['POST', '/v1/models', 'GET, HEAD', 'openai'],
    ['DELETE', '/health', 'GET, HEAD', 'openai'],
    ['PATCH', '/admin/keys', 'GET, HEAD, POST', 'openai'],
  ] as const)('%s %s is 405 with Allow: %s', async (method, path, allow, dialect) => {
    const response = await rawRequest(`${gateway.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${gateway.masterKey}` },
    });
    expect(response.status, response.text).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.headers['x-request-id']).toMatch(/^\S+$/);
    const body = JSON.parse(response.text) as Record<string, unknown>;
    if (dialect === 'anthropic') expect(body.type).toBe('error');
    else expect(Object.keys(body)).toEqual(['error']);
  });
});

describe('a start that cannot bind its port', () => {
  let busy: Server;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
  });

  // With Redis and Postgres open (their connections kept the process alive before the fix).
  it('exits 1 promptly with a message naming the port, closing Redis and Postgres', async () => {
    const port = (busy.address() as { port: number }).port;
    const cli = spawnCli(['start', '--port', String(port), '--host', '127.0.0.1'], {
      env: {
        GATEHOUSE_MASTER_KEY: testMasterKey,
        REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        GATEHOUSE_REDIS_PREFIX: `gh-edge-${process.pid}-${Date.now()}:`,
        DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
        GATEHOUSE_DATABASE_SCHEMA: `gh_edge_${process.pid}_${Date.now()}`,
      },
    });
    const timer = setTimeout(() => cli.kill(), 15_000);
    try {
      const started = performance.now();
      const { code } = await cli.exited;
      expect(code, `stdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`).toBe(1);
      expect(performance.now() - started).toBeLessThan(12_000);
      expect(cli.stderr()).toMatch(new RegExp(`${port}`));
      expect(cli.stderr()).toMatch(/in use/i);
    } finally {
      clearTimeout(timer);
      cli.kill();
    }
  });
});
