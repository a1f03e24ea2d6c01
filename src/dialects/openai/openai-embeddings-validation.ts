import type { Validation } from '../codec.js';
import {
  describe,
  expectArray,
  expectIntegerInRange,
  expectModelName,
  expectOneOf,
  expectRecord,
  expectString,
  isPresent,
  reject,
  validate,
} from '../shared/validation.js';

/** OpenAI's documented limit on the number of inputs in one embeddings request. */
const maximumInputs = 2048;

/**
 * Structural validation of an embeddings request (OpenAI `CreateEmbeddingRequest`): `input` is a
 * non-empty string, or 1 to 2048 strings, token ids, or arrays of token ids.
 */
export function validateEmbeddingsRequest(body: Record<string, unknown>): Validation {
  return validate(() => {
    expectRecord(body, 'body');
    const model = expectModelName(body.model, 'model');
    checkInput(body.input);
    if (isPresent(body.encoding_format))
      expectOneOf(body.encoding_format, 'encoding_format', ['float', 'base64']);
    if (isPresent(body.dimensions)) expectIntegerInRange(body.dimensions, 'dimensions', 1, 65_536);
    if (isPresent(body.user)) expectString(body.user, 'user');
    return {
      model,
      stream: false,
      includeUsage: false,
      maxOutputTokens: undefined,
      choices: 1,
      hasTools: false,
      messageCount: 0,
    };
  });
}

function checkInput(value: unknown): void {
  if (typeof value === 'string') {
    if (value === '') reject('input', 'input must not be an empty string');
    return;
  }
  if (!Array.isArray(value)) {
    reject('input', `input must be a string or an array, got ${describe(value)}`);
  }
  const items = expectArray(value, 'input');
  if (items.length === 0 || items.length > maximumInputs) {
    reject('input', `input must hold from 1 to ${maximumInputs} items, got ${items.length}`);
  }
  const first = items[0];
  items.forEach((item, index) => {
    const param = `input[${index}]`;
    if (typeof first === 'string') {
      if (expectString(item, param) === '') reject(param, `${param} must not be an empty string`);
    } else if (Array.isArray(first)) {
      const tokens = expectArray(item, param);
      if (tokens.length === 0) reject(param, `${param} must not be empty`);
      tokens.forEach((token, position) => checkToken(token, `${param}[${position}]`));
    } else {
      checkToken(item, param);
    }
  });
}

function checkToken(value: unknown, param: string): void {
  expectIntegerInRange(value, param, 0, Number.MAX_SAFE_INTEGER);
}
