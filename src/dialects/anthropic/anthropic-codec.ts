import type { DialectCodec } from '../codec.js';
import { encodeAnthropicError, encodeAnthropicStreamError } from './anthropic-errors.js';
import { decodeAnthropicChatRequest } from './anthropic-request-decoding.js';
import { encodeAnthropicChatRequest } from './anthropic-request-encoding.js';
import { validateAnthropicChatRequest } from './anthropic-request-validation.js';
import {
  decodeAnthropicChatResponse,
  encodeAnthropicChatResponse,
  usageOfAnthropicChatResponse,
} from './anthropic-response.js';
import { outputToolName } from './anthropic-structured-output.js';
import { AnthropicStreamDecoder } from './anthropic-stream-decoder.js';
import { AnthropicStreamEncoder } from './anthropic-stream-encoder.js';

/** The Anthropic Messages dialect (`POST /v1/messages`). */
export const anthropicCodec: DialectCodec = {
  dialect: 'anthropic',
  validateChatRequest: validateAnthropicChatRequest,
  decodeChatRequest: decodeAnthropicChatRequest,
  encodeChatRequest: encodeAnthropicChatRequest,
  decodeChatResponse: decodeAnthropicChatResponse,
  encodeChatResponse: encodeAnthropicChatResponse,
  usageOfChatResponse: usageOfAnthropicChatResponse,
  createStreamDecoder: (request) => new AnthropicStreamDecoder(outputToolName(request)),
  reportsPromptTokensFirst: true,
  createStreamEncoder: (options) => new AnthropicStreamEncoder(options),
  encodeStreamError: encodeAnthropicStreamError,
  encodeError: encodeAnthropicError,
};
