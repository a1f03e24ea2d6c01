import { errorKinds, GatewayError, type ErrorCode } from '../../errors/index.js';
import { readRecord, readString, sseFrame } from '../shared/wire.js';

/** `{"error":{"message","type","param","code"}}`; an upstream's own error type is kept. */
export function encodeOpenaiError(error: GatewayError): Record<string, unknown> {
  return {
    error: {
      message: error.message,
      type: error.upstreamType ?? errorKinds[error.code].openaiType,
      param: error.param ?? null,
      code: error.code,
    },
  };
}

/** The same body as one `data:` frame; the stream then ends without `[DONE]`. */
export function encodeOpenaiStreamError(error: GatewayError): string {
  return sseFrame(encodeOpenaiError(error));
}

/** An error an OpenAI-compatible upstream sent inside a stream (`data: {"error":{...}}`). */
export function openaiStreamFailure(error: unknown): GatewayError {
  const body = readRecord(error);
  const type = readString(body.type);
  const message = readString(body.message) ?? 'The upstream reported an error in the stream';
  return new GatewayError(codeOfOpenaiType(type, readString(body.code)), message, {
    ...(type === undefined ? {} : { upstreamType: type }),
  });
}

function codeOfOpenaiType(type: string | undefined, code: string | undefined): ErrorCode {
  if (type === 'rate_limit_error' || code === 'rate_limit_exceeded') return 'upstream_rate_limited';
  if (type === 'timeout_error') return 'upstream_timeout';
  if (type === 'overloaded_error' || type === 'service_unavailable_error') return 'upstream_unavailable';
  return 'upstream_error';
}
