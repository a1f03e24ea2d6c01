import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A tiny upstream for integration tests: it speaks just enough of OpenAI's and Anthropic's wire
 * formats to answer the gateway, records every request it receives, can stream slowly, and
 * records when the gateway closes the connection — so a test can see what reached a provider and
 * whether the gateway cancelled it.
 *
 * Configure it as `{ type: 'openai-compatible', base_url: `${url}/v1` }` (or `openai`) and as
 * `{ type: 'anthropic', base_url: url, api_key: 'x' }`.
 */

export type UpstreamDialect = 'openai' | 'anthropic';

export interface RecordedRequest {
  readonly index: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as text, once read (empty until then). */
  body: string;
  readonly dialect: UpstreamDialect;
  readonly stream: boolean;
  readonly receivedAt: number;
  /** When the connection (or the response) closed; undefined while open. */
  closedAt: number | undefined;
  /** The upstream wrote its whole answer (for streams: every event and the terminator). */
  completed: boolean;
  /** Events written so far (for streams). */
  eventsWritten: number;
  /** Resolves when the response closes, whether finished or cut by the client. */
  readonly closed: Promise<void>;
}

/** How the upstream answers one request. */
export interface Script {
  /** Wait before writing the response headers. */
  readonly headersDelayMs?: number;
  /** A status of 300 or more: the answer is an error body in the request's dialect. */
  readonly status?: number;
  /** The error message of an error answer (and of an in-band stream error). */
  readonly errorMessage?: string;
  /** How an error status is written: the dialect's JSON error body (default) or plain text. */
  readonly errorFormat?: 'json' | 'text';
  /**
   * A stream answers 200 and then fails in band, with the dialect's error event, after this many
   * words (0: before any content).
   */
  readonly streamErrorAfterWords?: number;
  /** Extra response headers (e.g. `retry-after`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Words of the answer; each is one stream event. Default: five words. */
  readonly words?: readonly string[];
  /** Wait between stream events (streams) or before the body after the headers (non-streaming). */
  readonly eventDelayMs?: number;
  /** Destroy the socket without answering. */
  readonly reset?: boolean;
}

export type ScriptFor = (request: RecordedRequest) => Script;

export interface ScriptedUpstream {
  readonly url: string;
  readonly requests: readonly RecordedRequest[];
  /** How many requests reached this upstream. */
  count(): number;
  /** Changes how later requests are answered. */
  setScript(script: Script | ScriptFor): void;
  /** Resolves with the nth request (1-based) once it has arrived. */
  waitForRequest(nth: number, timeoutMs?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const defaultWords = ['Hello', ' from', ' the', ' scripted', ' upstream.'];

export async function startScriptedUpstream(initial: Script | ScriptFor = {}): Promise<ScriptedUpstream> {
  let scriptFor: ScriptFor = typeof initial === 'function' ? initial : () => initial;
  const requests: RecordedRequest[] = [];
  const waiters: { nth: number; resolve: (request: RecordedRequest) => void }[] = [];

  const server = createServer((request, response) => {
    void handle(request, response);
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const dialect: UpstreamDialect = path.endsWith('/messages') ? 'anthropic' : 'openai';
    let resolveClosed: () => void = () => undefined;
    const closed = new Promise<void>((resolve) => {
      resolveClosed = resolve;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(body) as Record<string, unknown>;
    } catch {
      // Not JSON: answered like any other request; the test inspects `body`.
    }
    const record: RecordedRequest = {
      index: requests.length + 1,
      method: request.method ?? 'GET',
      path,
      headers: request.headers,
      body,
      dialect,
      stream: parsed.stream === true,
      receivedAt: Date.now(),
      closedAt: undefined,
      completed: false,
      eventsWritten: 0,
      closed,
    };
    response.once('close', () => {
      record.closedAt = Date.now();
      resolveClosed();
    });
    requests.push(record);
    for (const waiter of waiters.filter((candidate) => candidate.nth <= requests.length)) {
      waiter.resolve(requests[waiter.nth - 1]!);
      waiters.splice(waiters.indexOf(waiter), 1);
    }

    const script = scriptFor(record);
    if (script.reset === true) {
      request.socket.destroy();
      return;
    }
    if ((script.headersDelayMs ?? 0) > 0) {
      await Promise.race([sleep(script.headersDelayMs), closed]);
      if (response.destroyed) return;
    }
    const model = typeof parsed.model === 'string' ? parsed.model : 'scripted-model';
    if (script.status !== undefined && script.status >= 300) {
      const message = script.errorMessage ?? 'Scripted failure.';
      const text = script.errorFormat === 'text';
      response.writeHead(script.status, {
        'content-type': text ? 'text/plain' : 'application/json',
        ...script.headers,
      });
      response.end(text ? message : JSON.stringify(errorBody(dialect, script.status, message)));
      record.completed = true;
      return;
    }
    const allWords = script.words ?? defaultWords;
    const failAfter = record.stream ? script.streamErrorAfterWords : undefined;
    const words = failAfter === undefined ? allWords : allWords.slice(0, failAfter);
    const delayMs = script.eventDelayMs ?? 0;
    if (path.endsWith('/embeddings')) {
      response.writeHead(200, { 'content-type': 'application/json', ...script.headers });
      response.end(JSON.stringify(embeddingsBody(model)));
      record.completed = true;
      return;
    }
    if (!record.stream) {
      response.writeHead(200, { 'content-type': 'application/json', ...script.headers });
      response.flushHeaders();
      if (delayMs > 0) await Promise.race([sleep(delayMs), closed]);
      if (response.destroyed) return;
      const text = words.join('');
      response.end(
        JSON.stringify(dialect === 'openai' ? openaiAnswer(model, text) : anthropicAnswer(model, text)),
      );
      record.completed = true;
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...script.headers,
    });
    const whole = dialect === 'openai' ? openaiStream(model, words) : anthropicStream(model, words);
    // An in-band failure: the answer so far (its start and `failAfter` words), then the error event.
    const events =
      failAfter === undefined
        ? whole
        : [
            ...whole.slice(0, (dialect === 'openai' ? 1 : 2) + failAfter),
            streamErrorEvent(dialect, script.errorMessage ?? 'Scripted failure.'),
          ];
    // Everything up to the first word goes out at once; later events are spaced by the delay.
    const firstWord = dialect === 'openai' ? 1 : 2;
    for (const [index, event] of events.entries()) {
      if (index > firstWord && delayMs > 0) await Promise.race([sleep(delayMs), closed]);
      if (response.destroyed || response.writableEnded) return;
      if (!response.write(event)) await Promise.race([once(response, 'drain'), closed]);
      record.eventsWritten += 1;
    }
    if (response.destroyed) return;
    response.end();
    record.completed = true;
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: () => requests.length,
    setScript(script) {
      scriptFor = typeof script === 'function' ? script : () => script;
    },
    waitForRequest(nth, timeoutMs = 5_000) {
      const arrived = requests[nth - 1];
      if (arrived !== undefined) return Promise.resolve(arrived);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`the scripted upstream did not receive request ${nth} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push({
          nth,
          resolve: (request) => {
            clearTimeout(timer);
            resolve(request);
          },
        });
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function errorBody(dialect: UpstreamDialect, status: number, message: string): Record<string, unknown> {
  if (dialect === 'anthropic') {
    const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error';
    return { type: 'error', error: { type, message } };
  }
  const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: null } };
}

/** The error event each dialect sends inside a stream that already began. */
function streamErrorEvent(dialect: UpstreamDialect, message: string): string {
  if (dialect === 'anthropic') {
    const data = { type: 'error', error: { type: 'api_error', message } };
    return `event: error\ndata: ${JSON.stringify(data)}\n\n`;
  }
  return `data: ${JSON.stringify({ error: { message, type: 'server_error', param: null, code: null } })}\n\n`;
}

function embeddingsBody(model: string): Record<string, unknown> {
  return {
    object: 'list',
    data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
    model,
    usage: { prompt_tokens: 1, total_tokens: 1 },
  };
}

function openaiAnswer(model: string, text: string): Record<string, unknown> {
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null },
    ],
    usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
  };
}

function anthropicAnswer(model: string, text: string): Record<string, unknown> {
  return {
    id: 'msg_scripted',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 5 },
  };
}

function openaiStream(model: string, words: readonly string[]): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    `data: ${JSON.stringify({
      id: 'chatcmpl-scripted',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }, null),
    ...words.map((word) => chunk({ content: word }, null)),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ];
}

function anthropicStream(model: string, words: readonly string[]): string[] {
  const event = (name: string, data: Record<string, unknown>): string =>
    `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  return [
    event('message_start', {
      message: {
        id: 'msg_scripted',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 1 },
      },
    }),
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ...words.map((word) =>
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } }),
    ),
    event('content_block_stop', { index: 0 }),
    event('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 5 },
    }),
    event('message_stop', {}),
  ];
}
