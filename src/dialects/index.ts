import type { Dialect } from '../llm/index.js';
import { anthropicCodec } from './anthropic/anthropic-codec.js';
import type { DialectCodec } from './codec.js';
import { openaiCodec } from './openai/openai-codec.js';

/** The wire dialects: how each API's requests, responses, streams and errors look on the wire. */
export const codecs: Readonly<Record<Dialect, DialectCodec>> = Object.freeze({
  openai: openaiCodec,
  anthropic: anthropicCodec,
});

export { anthropicCodec } from './anthropic/anthropic-codec.js';
export { defaultMaxTokens } from './anthropic/anthropic-request-encoding.js';
export { anthropicDeltaUsage, anthropicTextBlock, anthropicUsage } from './anthropic/anthropic-usage.js';
export type {
  DialectCodec,
  RequestSummary,
  SseEvent,
  StreamDecoder,
  StreamEncoder,
  StreamEncoderOptions,
  Validation,
} from './codec.js';
export { embeddingVectorsOf } from './openai/openai-embeddings-response.js';
export { validateEmbeddingsRequest } from './openai/openai-embeddings-validation.js';
export { openaiCodec } from './openai/openai-codec.js';
export { maximumModelNameLength, nestingExceeds } from './shared/validation.js';
export { SseParser } from './sse-parser.js';
export { withScrubbedErrors } from './scrubbed-errors.js';
