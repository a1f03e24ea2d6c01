/**
 * Reading one member of a JSON object answer without parsing the answer: the pass-through path
 * relays the provider's bytes as they are and needs only their usage, which providers write as a
 * top-level `"usage": {...}` near the end. Parsing a 1 KB answer to find 100 bytes of usage cost
 * more than anything else the relay did with it.
 */

const quote = 0x22;
const backslash = 0x5c;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const colon = 0x3a;
const openBracket = 0x5b;
const closeBracket = 0x5d;

/** What `jsonObjectMember` found: the member's value, or why there is none. */
export type MemberLookup =
  | { readonly type: 'found'; readonly value: unknown }
  | { readonly type: 'absent' }
  /** The bytes are not a JSON object (an empty, truncated or non-JSON answer). */
  | { readonly type: 'malformed' };

/**
 * The object-valued member `name` of the JSON object in `bytes`, found by its last top-level key.
 * Keys are searched from the end, where providers put usage, and only the bytes after a candidate
 * are scanned to tell a top-level key from a nested one.
 *
 * A key is a quoted name followed by a colon; inside a JSON string a quote is always escaped, so
 * `"usage":` cannot occur in text an answer contains (a model writing `"usage":` produces
 * `\"usage\":`). Only the member's own value is parsed. The envelope is checked cheaply: the bytes
 * must begin with `{` and end with a `}` that is not the member's own, which a body cut short
 * mostly does not; a body shorter than its content-length or with a broken chunked encoding is
 * already an error of the HTTP client.
 */
export function jsonObjectMember(bytes: Buffer, name: string): MemberLookup {
  const closing = objectEnvelopeEnd(bytes);
  if (closing === -1) return { type: 'malformed' };
  const key = `"${name}"`;
  let at = bytes.lastIndexOf(key, undefined, 'latin1');
  while (at !== -1) {
    const valueStart = afterColon(bytes, at + key.length);
    if (valueStart !== -1 && bytes[valueStart] === openBrace) {
      const end = objectEnd(bytes, valueStart);
      // The member's object must close before the outer one does.
      if (end === -1 || end > closing) return { type: 'malformed' };
      // What follows must close exactly one object: otherwise this key belongs to a nested one.
      if (closingDepth(bytes, end, closing) !== 1) {
        at = at === 0 ? -1 : bytes.lastIndexOf(key, at - 1, 'latin1');
        continue;
      }
      try {
        return { type: 'found', value: JSON.parse(bytes.toString('utf8', valueStart, end)) as unknown };
      } catch {
        return { type: 'malformed' };
      }
    }
    if (valueStart !== -1 && bytes[valueStart] !== openBrace) {
      // `"usage": null` and the like: present but not an object.
      return { type: 'absent' };
    }
    at = at === 0 ? -1 : bytes.lastIndexOf(key, at - 1, 'latin1');
  }
  return { type: 'absent' };
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index of the `}` that ends the bytes when they begin with `{` (whitespace aside), else -1. */
function objectEnvelopeEnd(bytes: Buffer): number {
  let first = 0;
  while (first < bytes.length && isWhitespace(bytes[first])) first++;
  let last = bytes.length - 1;
  while (last > first && isWhitespace(bytes[last])) last--;
  return last > first && bytes[first] === openBrace && bytes[last] === closeBrace ? last : -1;
}

/** The index of the first byte after `:` (and whitespace) following `from`, or -1 when no colon follows. */
function afterColon(bytes: Buffer, from: number): number {
  let index = from;
  while (isWhitespace(bytes[index])) index++;
  if (bytes[index] !== colon) return -1;
  index++;
  while (isWhitespace(bytes[index])) index++;
  return index < bytes.length ? index : -1;
}

/** The index just past the `}` closing the object that opens at `start`, or -1 when it never closes. */
function objectEnd(bytes: Buffer, start: number): number {
  return balance(bytes, start, bytes.length - 1, true).end;
}

/**
 * How many levels the bytes from `start` up to and including `last` close (closers minus openers
 * outside strings). The tail after a top-level member closes exactly the outer object.
 */
function closingDepth(bytes: Buffer, start: number, last: number): number {
  return -balance(bytes, start, last, false).depth;
}

/**
 * Openers minus closers outside strings over `bytes[from..to]`. With `untilClosed`, stops at the
 * closer that brings the count back to zero and gives the index just past it as `end` (else -1).
 */
function balance(
  bytes: Buffer,
  from: number,
  to: number,
  untilClosed: boolean,
): { readonly depth: number; readonly end: number } {
  let depth = 0;
  let inString = false;
  for (let index = from; index <= to; index++) {
    const byte = bytes[index];
    if (inString) {
      if (byte === backslash) index++;
      else if (byte === quote) inString = false;
    } else if (byte === quote) {
      inString = true;
    } else if (byte === openBrace || byte === openBracket) {
      depth++;
    } else if (byte === closeBrace || byte === closeBracket) {
      depth--;
      if (untilClosed && depth === 0) return { depth, end: index + 1 };
    }
  }
  return { depth, end: -1 };
}
