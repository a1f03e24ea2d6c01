import { performance } from 'node:perf_hooks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { DialectCodec } from '../dialects/codec.js';
import type { Operation, Pipeline } from '../pipeline/index.js';
import { respond } from './respond.js';

export interface HandlerSettings {
  readonly pipeline: Pipeline;
  readonly codec: DialectCodec;
  readonly operation: Operation;
  readonly streamKeepAliveMs: number;
  /** Called when the response becomes a stream (the in-flight streams gauge). */
  readonly onStreamStart: (request: FastifyRequest) => void;
}

/**
 * The handler behind every model route: builds the request context, runs the pipeline and writes
 * its result. A caller that disconnects before the response is complete aborts the context's
 * signal, which cancels the upstream request at once.
 */
export function createModelHandler(settings: HandlerSettings) {
  const { pipeline, codec, operation } = settings;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const receivedAt = performance.now();
    const requestId = request.id;
    const controller = new AbortController();
    const raw = reply.raw;
    const onClose = (): void => {
      if (!raw.writableFinished) controller.abort();
    };
    raw.once('close', onClose);
    try {
      const { result, finished } = await pipeline.handle({
        requestId,
        dialect: codec.dialect,
        operation,
        headers: request.headers,
        body: request.body as Record<string, unknown>,
        signal: controller.signal,
        receivedAt,
      });
      if (result.type === 'stream') settings.onStreamStart(request);
      const status = await respond(result, {
        reply,
        codec,
        requestId,
        keepAliveMs: settings.streamKeepAliveMs,
      });
      finished(status);
    } catch (error) {
      // Before the headers, the app's error handler renders and logs it. After them, cutting the
      // connection is the only honest signal left: a cleanly ended stream would look complete.
      if (!raw.headersSent) throw error;
      raw.destroy(error instanceof Error ? error : undefined);
    } finally {
      raw.off('close', onClose);
    }
  };
}
