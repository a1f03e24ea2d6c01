import { request as httpRequest, type Agent, type IncomingHttpHeaders } from 'node:http';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequestOptions {
  readonly method?: string;
  /** Header values; `undefined` leaves a header out. */
  readonly headers?: Readonly<Record<string, string | number | undefined>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
  /** A connection pool to use; by default every request has its own connection. */
  readonly agent?: Agent;
}

/**
 * One HTTP request with node:http, byte for byte as given (no JSON encoding, no default headers
 * beyond what is passed), so tests can send what real clients never would.
 */
export function rawRequest(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const headers: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (value !== undefined) headers[name] = value;
  }
  if (options.body !== undefined && headers['content-length'] === undefined) {
    headers['content-length'] = Buffer.byteLength(options.body);
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const request = httpRequest(
      url,
      {
        method: options.method ?? 'POST',
        headers,
        agent: options.agent ?? false,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => {
          if (!settled) reject(error);
          settled = true;
        });
        response.on('end', () => {
          settled = true;
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    request.on('error', (error) => {
      // A server that answers early (413) may close before the whole body is written; the answer
      // has then arrived and the write error is expected.
      if (!settled) {
        settled = true;
        reject(error);
      }
    });
    request.end(options.body);
  });
}
