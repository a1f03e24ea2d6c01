import type { DialectCodec } from '../codec.js';
import { encodeOpenaiError, encodeOpenaiStreamError } from './openai-errors.js';
import { decodeOpenaiChatRequest } from './openai-request-decoding.js';
import { encodeOpenaiChatRequest } from './openai-request-encoding.js';
import { validateOpenaiChatRequest } from './openai-request-validation.js';
import {
  decodeOpenaiChatResponse,
  encodeOpenaiChatResponse,
  usageOfOpenaiChatResponse,
} from './openai-response.js';
import { OpenaiStreamDecoder } from './openai-stream-decoder.js';
import { OpenaiStreamEncoder } from './openai-stream-encoder.js';

/** The OpenAI Chat Completions dialect (`POST /v1/chat/completions`). */
export const openaiCodec: DialectCodec = {
  dialect: 'openai',
  validateChatRequest: validateOpenaiChatRequest,
  decodeChatRequest: decodeOpenaiChatRequest,
  encodeChatRequest: encodeOpenaiChatRequest,
  decodeChatResponse: decodeOpenaiChatResponse,
  encodeChatResponse: encodeOpenaiChatResponse,
  usageOfChatResponse: usageOfOpenaiChatResponse,
  createStreamDecoder: () => new OpenaiStreamDecoder(),
  reportsPromptTokensFirst: false,
  createStreamEncoder: (options) => new OpenaiStreamEncoder(options),
  encodeStreamError: encodeOpenaiStreamError,
  encodeError: (error) => encodeOpenaiError(error),
};
