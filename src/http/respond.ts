import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ServerResponse } from 'node:http';
import type { DialectCodec } from '../dialects/codec.js';
import type { PipelineResult, ResponseMeta } from '../pipeline/index.js';
import { writeError } from './render-error.js';

/** The `x-gatehouse-*` headers every answered request carries (SPEC section 3). */
export function gatewayHeaders(
  meta: ResponseMeta,
  requestId: string,
  anthropic: boolean,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...meta.answerHeaders,
    ...meta.rateLimitHeaders,
    ...meta.stageHeaders,
    'x-request-id': requestId,
    'x-gatehouse-attempts': String(meta.attempts),
    'x-gatehouse-cache': meta.cache,
    'x-gatehouse-overhead-ms': meta.overheadMs.toFixed(2),
  };
  if (anthropic) headers['request-id'] = requestId;
  if (meta.provider !== undefined) headers['x-gatehouse-provider'] = meta.provider;
  if (meta.model !== undefined) headers['x-gatehouse-model'] = meta.model;
  return headers;
}

export interface RespondOptions {
  readonly response: ServerResponse;
  readonly codec: DialectCodec;
  readonly requestId: string;
  readonly keepAliveMs: number;
}

/** Writes a pipeline result; resolves with the status sent once the response is complete. */
export async function respond(result: PipelineResult, options: RespondOptions): Promise<number> {
  const { response, codec, requestId } = options;
  const headers = gatewayHeaders(result.meta, requestId, codec.dialect === 'anthropic');
  switch (result.type) {
    case 'error':
      writeError(response, codec, result.error, requestId, headers);
      return result.error.status;
    case 'json':
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(result.body.length);
      response.writeHead(200, headers);
      response.end(result.body);
      return 200;
    case 'stream':
      await writeStream(response, result.frames, headers, options.keepAliveMs);
      return 200;
    default: {
      const unreachable: never = result;
      return unreachable;
    }
  }
}

/**
 * Streams frames as they arrive, honouring backpressure, with SSE comment keep-alives while the
 * upstream is quiet. If the caller goes away, or writing fails, the frame iterator is returned,
 * which cancels the upstream request and settles the stream's summary (its accounting).
 */
async function writeStream(
  response: ServerResponse,
  frames: AsyncIterable<Uint8Array | string>,
  headers: Record<string, string>,
  keepAliveMs: number,
): Promise<void> {
  const iterator = frames[Symbol.asyncIterator]();
  let done = false;
  const onClose = (): void => {
    void iterator.return?.();
  };
  response.once('close', onClose);
  let keepAlive: NodeJS.Timeout | undefined;
  try {
    // The first frame is taken before the headers are written: a generator's clean-up runs on
    // `return()` only once it has started, so a head that cannot be written (a value Node refuses)
    // must not leave the stream unstarted. The pipeline hands over a stream once its first
    // content arrived, so that frame is already waiting; it goes out with the headers in one write
    // (no flushHeaders()).
    let next = await iterator.next();
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    });
    let lastWrite = performance.now();
    keepAlive = setInterval(() => {
      if (performance.now() - lastWrite >= keepAliveMs && !response.writableEnded)
        response.write(': keep-alive\n\n');
    }, keepAliveMs);
    for (;;) {
      if (next.done === true) {
        done = true;
        break;
      }
      if (response.destroyed) break;
      lastWrite = performance.now();
      if (!response.write(next.value)) {
        await Promise.race([once(response, 'drain'), once(response, 'close')]);
      }
      if (response.destroyed) break;
      next = await iterator.next();
    }
  } finally {
    clearInterval(keepAlive);
    response.off('close', onClose);
    if (!done) void iterator.return?.();
    if (response.headersSent && !response.writableEnded) response.end();
  }
}
