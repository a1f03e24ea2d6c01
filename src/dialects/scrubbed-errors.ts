import { GatewayError } from '../errors/index.js';
import type { Dialect } from '../llm/index.js';
import type { DialectCodec } from './codec.js';

/**
 * The codecs with their two error encoders (a response body, an in-band stream error) passing
 * every error's text through `scrub` first. Every error a caller receives is written by one of
 * the two, whatever produced it (a provider's status, its JSON or plain-text body, an error event
 * inside its stream, the gateway itself), so this is the one place where a provider's message can
 * be made safe to show: a provider that quotes the credential it received must not hand it on.
 * The error itself is left as it was, for the server log.
 */
export function withScrubbedErrors(
  codecs: Readonly<Record<Dialect, DialectCodec>>,
  scrub: (text: string) => string,
): Readonly<Record<Dialect, DialectCodec>> {
  const scrubbed = (codec: DialectCodec): DialectCodec => ({
    ...codec,
    encodeError: (error, requestId) => codec.encodeError(scrubError(error, scrub), requestId),
    encodeStreamError: (error) => codec.encodeStreamError(scrubError(error, scrub)),
  });
  return Object.freeze({ openai: scrubbed(codecs.openai), anthropic: scrubbed(codecs.anthropic) });
}

function scrubError(error: GatewayError, scrub: (text: string) => string): GatewayError {
  const message = scrub(error.message);
  const param = error.param === undefined ? undefined : scrub(error.param);
  const upstreamType = error.upstreamType === undefined ? undefined : scrub(error.upstreamType);
  // The status is kept (it may be a provider's own, 404 or 422, rather than the code's); the
  // headers are the gateway's own (`retry-after`), written by the renderer and not encoded here.
  return new GatewayError(error.code, message, {
    status: error.status,
    headers: error.headers,
    ...(param === undefined ? {} : { param }),
    ...(upstreamType === undefined ? {} : { upstreamType }),
  });
}
