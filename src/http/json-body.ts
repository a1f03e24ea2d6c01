import { isUtf8 } from 'node:buffer';
import { GatewayError } from '../errors/index.js';

/**
 * Parses a request body as a JSON object. Invalid UTF-8 is rejected rather than silently replaced
 * (RFC 8259 §8.1 requires UTF-8), the top-level value must be an object, and arrays and objects may
 * nest at most `maxDepth` deep: every later stage (validation, token counting, `JSON.stringify`
 * towards the provider) walks the body recursively, and a body nested millions deep costs seconds
 * of CPU before it fails, if it fails cleanly at all.
 */
export function parseJsonObject(body: Buffer, maxDepth: number): Record<string, unknown> {
  if (!isUtf8(body)) throw new GatewayError('invalid_json', 'The request body is not valid UTF-8.');
  if (nestsDeeperThan(body, maxDepth)) {
    throw new GatewayError(
      'invalid_json',
      `The request body nests arrays and objects more than ${maxDepth} levels deep.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : '';
    throw new GatewayError('invalid_json', `The request body is not valid JSON${detail}.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

const quote = 0x22;
const backslash = 0x5c;
const openBracket = 0x5b;
const openBrace = 0x7b;
const closeBracket = 0x5d;
const closeBrace = 0x7d;

/**
 * True when `[` and `{` outside strings nest deeper than `maxDepth`. A byte scan, not a parse: it
 * stops at the first level too deep, and string contents (most of a chat body) are skipped with
 * `indexOf`, so it costs a fraction of `JSON.parse` and never a second parse. Malformed JSON is left
 * to `JSON.parse` to report; this only counts.
 */
export function nestsDeeperThan(body: Buffer, maxDepth: number): boolean {
  let depth = 0;
  const length = body.length;
  for (let index = 0; index < length; index += 1) {
    const byte = body[index];
    if (byte === quote) {
      // Jump to the closing quote: one not preceded by an odd number of backslashes.
      let end = body.indexOf(quote, index + 1);
      while (end !== -1) {
        let slashes = 0;
        while (body[end - 1 - slashes] === backslash) slashes += 1;
        if (slashes % 2 === 0) break;
        end = body.indexOf(quote, end + 1);
      }
      if (end === -1) return false;
      index = end;
    } else if (byte === openBracket || byte === openBrace) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === closeBracket || byte === closeBrace) {
      depth -= 1;
    }
  }
  return false;
}
