import { GatewayError, type ErrorCode } from '../../errors/index.js';
import type { ProviderAdapter, UpstreamOutcome, UpstreamRequest } from '../contract.js';
import type { MockBody } from './mock-body.js';
import type { MockErrorInfo } from './mock-errors.js';
import { createMockResponder, type MockResponder } from './mock-responder.js';

/**
 * The mock provider in process: the gateway's routing calls the responder directly, with no HTTP
 * in between, and sees the same outcomes a remote provider would produce. Faults map onto the
 * contract as a network would: a reset is a `connect` failure, a hang resolves as a `timeout` only
 * when the request is aborted, and a cut stream's body throws an ECONNRESET error.
 */

export interface MockAdapterOptions {
  readonly name: string;
  readonly responder?: MockResponder;
  /** Used for a fresh responder when none is given. */
  readonly now?: () => number;
}

function codeOf(status: number, error: MockErrorInfo | undefined): ErrorCode {
  if (status === 429) return 'upstream_rate_limited';
  if (status === 503 || status === 529) return 'upstream_unavailable';
  if (status >= 500) return 'upstream_error';
  if (error?.category === 'context_length') return 'context_length_exceeded';
  if (error?.category === 'content_policy') return 'content_policy';
  return 'invalid_request';
}

function abortedOutcome(): UpstreamOutcome {
  const error = new GatewayError(
    'upstream_timeout',
    'The mock provider did not answer before the request was aborted.',
  );
  return { ok: false, failure: { kind: 'timeout', error } };
}

/** Settles when the signal aborts, and not before: what a provider that never answers looks like. */
function untilAborted(signal: AbortSignal): Promise<UpstreamOutcome> {
  if (signal.aborted) return Promise.resolve(abortedOutcome());
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => resolve(abortedOutcome()), { once: true });
  });
}

export function createMockAdapter(options: MockAdapterOptions): ProviderAdapter {
  const responder =
    options.responder ?? createMockResponder(options.now === undefined ? {} : { now: options.now });

  async function send(request: UpstreamRequest): Promise<UpstreamOutcome> {
    let result;
    try {
      result = await responder.respond({
        dialect: request.dialect,
        operation: request.operation,
        body: request.body,
        headers: request.headers,
        signal: request.signal,
        model: request.model,
      });
    } catch (error) {
      if (request.signal.aborted) return abortedOutcome();
      throw error;
    }
    switch (result.type) {
      case 'reset': {
        const error = new GatewayError(
          'upstream_error',
          'The mock provider reset the connection (mock fault "reset").',
        );
        return { ok: false, failure: { kind: 'connect', error } };
      }
      case 'hang':
        return untilAborted(request.signal);
      case 'response': {
        if (result.status >= 200 && result.status < 300) {
          const body = result.body;
          return {
            ok: true,
            response: {
              status: result.status,
              headers: result.headers,
              body,
              readAll: () => readMockBody(body),
              cancel: () => body.cancel(),
            },
          };
        }
        // Nobody reads an error's body here; the error carries what it says.
        result.body.cancel();
        const error = new GatewayError(
          codeOf(result.status, result.error),
          result.error?.message ?? `HTTP ${result.status}`,
          {
            status: result.status,
            ...(result.error === undefined ? {} : { upstreamType: result.error.type }),
            ...(result.error?.param === undefined || result.error.param === null
              ? {}
              : { param: result.error.param }),
          },
        );
        return {
          ok: false,
          failure: {
            kind: 'http',
            error,
            ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
          },
        };
      }
    }
  }

  return {
    name: options.name,
    type: 'mock',
    dialects: ['openai', 'anthropic'],
    supportsEmbeddings: true,
    // Continuation is supported; the `prefill-refusal` fault refuses it per request.
    supportsPrefill: true,
    send,
    listModels: () => Promise.resolve(responder.modelNames),
    close: () => Promise.resolve(),
  };
}

async function readMockBody(body: MockBody): Promise<Buffer> {
  const whole = body.whole;
  if (whole !== undefined) return Buffer.from(whole.buffer, whole.byteOffset, whole.byteLength);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}
