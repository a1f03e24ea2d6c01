import { Pool, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../errors/index.js';
import type { UpstreamFailure, UpstreamOutcome } from './contract.js';
import { DispatchedBody } from './dispatched-body.js';
import { retryAfterMs, upstreamHttpError } from './upstream-errors.js';

export interface HttpUpstreamOptions {
  readonly providerName: string;
  /** Origin plus optional base path, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string;
  readonly connections: number;
  readonly connectTimeoutMs: number;
  readonly now?: () => number;
}

export interface HttpUpstreamCall {
  /** Path below the base URL, with its query string. */
  readonly path: string;
  readonly method?: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
  /** The answer is a stream, read as it arrives; otherwise it is read whole before `send` resolves. */
  readonly stream?: boolean;
}

export interface HttpUpstream {
  send(call: HttpUpstreamCall): Promise<UpstreamOutcome>;
  close(): Promise<void>;
}

/**
 * A keep-alive connection pool to one provider origin. Timeouts beyond connect are enforced by the
 * caller's abort signal (routing owns first-byte, first-token, stall and total deadlines), so the
 * pool's own header and body timeouts are off.
 */
export function createHttpUpstream(options: HttpUpstreamOptions): HttpUpstream {
  const url = new URL(options.baseUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const pool = new Pool(url.origin, {
    connections: options.connections,
    connectTimeout: options.connectTimeoutMs,
    headersTimeout: 0,
    bodyTimeout: 0,
    keepAliveTimeout: 30_000,
  });

  /** An error status: the provider's message, and how long it asked callers to wait. */
  function httpFailure(
    statusCode: number,
    headers: Readonly<Record<string, string | string[] | undefined>>,
    text: string,
  ): UpstreamOutcome {
    const waitMs = retryAfterMs(headers, now());
    return {
      ok: false,
      failure: {
        kind: 'http',
        error: upstreamHttpError(options.providerName, statusCode, text),
        ...(waitMs === undefined ? {} : { retryAfterMs: waitMs }),
      },
    };
  }

  async function send(call: HttpUpstreamCall): Promise<UpstreamOutcome> {
    const request = {
      path: basePath + call.path,
      method: call.method ?? 'POST',
      headers:
        call.body === undefined ? call.headers : { ...call.headers, 'content-type': 'application/json' },
      body: call.body ?? null,
    };
    if (call.stream !== true) return sendWhole(request, call.signal);
    let started: StreamedAnswer;
    try {
      started = await dispatchStream(pool, request, call.signal);
    } catch (error) {
      return { ok: false, failure: connectionFailure(options.providerName, error, call.signal.aborted) };
    }
    const { statusCode, headers, body } = started;
    if (!isSuccess(statusCode)) {
      const text = await body.bytes().then(
        (bytes) => bytes.toString('utf8'),
        () => '',
      );
      return httpFailure(statusCode, headers, text);
    }
    return {
      ok: true,
      response: {
        status: statusCode,
        headers,
        body,
        readAll: () => body.bytes(),
        cancel: () => body.cancel(),
      },
    };
  }

  /**
   * A request whose answer is read whole (not a stream): its chunks are gathered by a dispatch
   * handler of our own, without the stream object and its async reads that `pool.request` puts
   * between the socket and the caller.
   */
  async function sendWhole(
    request: Dispatcher.DispatchOptions,
    signal: AbortSignal,
  ): Promise<UpstreamOutcome> {
    let answer: WholeAnswer;
    try {
      answer = await dispatchWhole(pool, request, signal);
    } catch (error) {
      // Whatever the abort's reason, a request stopped by its signal ran out of time.
      return { ok: false, failure: connectionFailure(options.providerName, error, signal.aborted) };
    }
    const { statusCode, headers, body } = answer;
    if (!isSuccess(statusCode)) return httpFailure(statusCode, headers, body.toString('utf8'));
    return {
      ok: true,
      response: {
        status: statusCode,
        headers,
        body: oneChunk(body),
        readAll: () => Promise.resolve(body),
        cancel: () => undefined,
      },
    };
  }

  return { send, close: () => pool.close() };
}

/**
 * Only a 2xx answer is relayed: the same-dialect fast path passes a body on as it came, so an error
 * or a redirect (undici follows none) must become a GatewayError, whose message is scrubbed before
 * any caller sees it, instead of reaching the caller byte for byte.
 */
function isSuccess(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}

/** A body already read, for callers that iterate it. */
function oneChunk(body: Buffer): AsyncIterable<Uint8Array> {
  return {
    [Symbol.asyncIterator]() {
      let read = false;
      return {
        next(): Promise<IteratorResult<Uint8Array>> {
          const result: IteratorResult<Uint8Array> = read
            ? { done: true, value: undefined }
            : { done: false, value: body };
          read = true;
          return Promise.resolve(result);
        },
      };
    },
  };
}

interface WholeAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

interface StreamedAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: DispatchedBody;
}

/** Resolves once the response headers arrive; the body is read as it comes (see DispatchedBody). */
function dispatchStream(
  pool: Pool,
  request: Dispatcher.DispatchOptions,
  signal: AbortSignal,
): Promise<StreamedAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReasonOf(signal));
      return;
    }
    const link = abortLink(signal);
    let body: DispatchedBody | undefined;
    pool.dispatch(request, {
      onRequestStart: link.attach,
      onResponseStart(started, statusCode, headers) {
        body = new DispatchedBody(started, () => new undiciErrors.RequestAbortedError());
        resolve({ statusCode, headers, body });
      },
      onResponseData(_controller, chunk) {
        body?.push(chunk);
      },
      onResponseEnd() {
        link.detach();
        body?.end();
      },
      onResponseError(_controller, error) {
        link.detach();
        if (body === undefined) reject(error);
        else body.fail(error);
      },
    });
  });
}

function dispatchWhole(
  pool: Pool,
  request: Dispatcher.DispatchOptions,
  signal: AbortSignal,
): Promise<WholeAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReasonOf(signal));
      return;
    }
    const link = abortLink(signal);
    let statusCode = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    const chunks: Buffer[] = [];
    pool.dispatch(request, {
      onRequestStart: link.attach,
      onResponseStart(_controller, status, responseHeaders) {
        statusCode = status;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        chunks.push(chunk);
      },
      onResponseEnd() {
        link.detach();
        resolve({
          statusCode,
          headers,
          body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks),
        });
      },
      onResponseError(_controller, error) {
        link.detach();
        reject(error);
      },
    });
  });
}

function abortReasonOf(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new undiciErrors.RequestAbortedError();
}

/**
 * Ties a dispatched request to the caller's signal: `attach` is its `onRequestStart` (a signal that
 * fired while the request was queued aborts it there), `detach` ends the link once it is over.
 */
function abortLink(signal: AbortSignal): {
  readonly attach: (controller: Dispatcher.DispatchController) => void;
  readonly detach: () => void;
} {
  let controller: Dispatcher.DispatchController | undefined;
  const onAbort = (): void => controller?.abort(abortReasonOf(signal));
  signal.addEventListener('abort', onAbort, { once: true });
  return {
    attach: (started) => {
      controller = started;
      if (signal.aborted) started.abort(abortReasonOf(signal));
    },
    detach: () => signal.removeEventListener('abort', onAbort),
  };
}

function connectionFailure(providerName: string, error: unknown, aborted = false): UpstreamFailure {
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return {
      kind: 'timeout',
      error: new GatewayError('upstream_timeout', `Timed out connecting to provider ${providerName}.`, {
        cause: error,
      }),
    };
  }
  if (aborted || (error instanceof Error && error.name === 'AbortError')) {
    return {
      kind: 'timeout',
      error: new GatewayError('upstream_timeout', `Provider ${providerName} did not answer in time.`, {
        cause: error,
      }),
    };
  }
  return {
    kind: 'connect',
    error: new GatewayError('upstream_unavailable', `Could not reach provider ${providerName}.`, {
      cause: error,
    }),
  };
}
