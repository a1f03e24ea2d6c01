import { Pool, errors as undiciErrors } from 'undici';
import { GatewayError } from '../errors/index.js';
import type { UpstreamFailure, UpstreamOutcome } from './contract.js';
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

  async function send(call: HttpUpstreamCall): Promise<UpstreamOutcome> {
    let response;
    try {
      response = await pool.request({
        path: basePath + call.path,
        method: call.method ?? 'POST',
        headers:
          call.body === undefined ? call.headers : { ...call.headers, 'content-type': 'application/json' },
        body: call.body ?? null,
        signal: call.signal,
      });
    } catch (error) {
      return { ok: false, failure: connectionFailure(options.providerName, error) };
    }
    const { statusCode, headers, body } = response;
    if (statusCode >= 400) {
      const text = await body.text().catch(() => '');
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
    return {
      ok: true,
      response: {
        status: statusCode,
        headers,
        body,
        readAll: () => body.bytes(),
        cancel: () => {
          body.destroy();
        },
      },
    };
  }

  return { send, close: () => pool.close() };
}

function connectionFailure(providerName: string, error: unknown): UpstreamFailure {
  if (error instanceof undiciErrors.ConnectTimeoutError) {
    return {
      kind: 'timeout',
      error: new GatewayError('upstream_timeout', `Timed out connecting to provider ${providerName}.`, {
        cause: error,
      }),
    };
  }
  if (error instanceof Error && error.name === 'AbortError') {
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
