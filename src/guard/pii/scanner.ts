import { isIban } from './checksums.js';
import { classifyNumberRun } from './number-runs.js';
import type { Finding, PiiType } from './pii-types.js';
import { isJwtHeader, looksRandom, providerKeyKind } from './token-checks.js';

/**
 * The detector: one pass over the text, character by character, that stops only where a value can
 * begin — an `@` (an email, read back to its local part), `-----BEGIN ` (a private-key block), or
 * the start of a word whose first character opens a shape (`s` for `sk-`, `A` for `AKIA`, a digit,
 * `+` or `(` for a card or phone number, two capitals for an IBAN, ...). There the shape's own
 * expression is tried at that position (sticky), and a match is confirmed by its validator (Luhn,
 * IBAN mod 97, a JWT header that names `alg`, a key that looks random).
 *
 * Why by hand: one combined regular expression tried every alternative at every character and
 * cost about 20 µs per KB of prose; this loop skips the inside of words and costs a few (the unit
 * bench, `pii-bench.ts`, measures it). Every expression is bounded, so the pass stays linear in the
 * text's length however it is built, which matters because it runs over every log line and, when
 * configured, every prompt and answer.
 *
 * The private-key block accepts `\n` written as two characters, so a key inside a JSON string (a
 * serialised log line) is found as one block.
 */

const pemLabel = String.raw`(?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?`;
// Base64 lines, `Proc-Type:` / `DEK-Info:` headers, and any dash that does not begin the END line.
const pemBody = String.raw`(?:[A-Za-z0-9+/=:, \t\r\n]|-(?!----)|\\[rnt])`;

/** Each shape, tried where the loop stops; look-behinds see the text before the position. */
const shape = {
  privateKey: sticky(String.raw`-----BEGIN ${pemLabel}-----${pemBody}{0,16384}(?:-----END ${pemLabel}-----)?`),
  jwt: sticky(String.raw`(?<![\w-])eyJ[A-Za-z0-9_-]{5,2048}\.[A-Za-z0-9_-]{2,16384}\.[A-Za-z0-9_-]{0,2048}(?![\w-])`),
  providerKey: sticky(String.raw`(?<![\w-])sk-[A-Za-z0-9_-]{20,512}(?![\w-])`),
  aws: sticky(String.raw`(?<![A-Za-z0-9])A[KS]IA[A-Z0-9]{16}(?![A-Za-z0-9])`),
  google: sticky(String.raw`(?<![\w-])AIza[A-Za-z0-9_-]{35}(?![\w-])`),
  github: sticky(String.raw`(?<!\w)(?:gh[opsur]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?!\w)`),
  slack: sticky(String.raw`(?<![\w-])xox[abepors]-[A-Za-z0-9-]{10,250}(?![\w-])`),
  iban: sticky(String.raw`(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])`),
  email: sticky(String.raw`[A-Za-z0-9][\w.%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])`),
  number: sticky(String.raw`(?<![\w.,+#/@$-])[+(]?\d(?:(?:[ ./-]|\) ?| ?\()?\d){6,22}(?![\w]|[./-]\d)`),
};

function sticky(source: string): RegExp {
  return new RegExp(source, 'y');
}

/** The length of `expression`'s match at `position`, or 0. */
function matchAt(expression: RegExp, text: string, position: number): number {
  expression.lastIndex = position;
  return expression.exec(text)?.[0].length ?? 0;
}

/** A rejected number run is retried from inside itself this often, then skipped whole. */
const numberRetries = 2;

/**
 * Every value of `types` (all kinds by default) found in `text`, in order and never overlapping.
 * Never throws on any string (lone surrogates, megabytes of one character): a failing validator
 * is a value not found.
 */
export function scanText(text: string, types?: ReadonlySet<PiiType>): Finding[] {
  const findings: Finding[] = [];
  let lastEnd = 0;
  let rejectedRunEnd = -1;
  let retries = 0;
  const add = (type: PiiType | undefined, start: number, length: number): number => {
    if (type === undefined || length === 0) return -1;
    if (types === undefined || types.has(type)) findings.push({ type, start, end: start + length });
    lastEnd = start + length;
    return lastEnd;
  };
  let previousIsAlphanumeric = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const role = code < 128 ? (roles[code] ?? other) : other;
    if (role === letter) {
      // Inside a word nothing begins; at its start, its first letter may open a shape.
      if (previousIsAlphanumeric) continue;
      previousIsAlphanumeric = true;
      const end = wordShape(text, index, code, add);
      if (end !== -1) {
        index = end - 1;
        previousIsAlphanumeric = false;
      }
      continue;
    }
    const wordStart = !previousIsAlphanumeric;
    previousIsAlphanumeric = role === digit;
    let end = -1;
    if (role === other) continue;
    if (role === atSign) {
      end = email(text, index, lastEnd, add);
    } else if (role === dash) {
      if (text.startsWith('-----BEGIN ', index))
        end = add('private_key', index, matchAt(shape.privateKey, text, index));
    } else {
      // A digit, `+` or `(`: a card or phone number may begin here, unless inside a word or a run
      // already rejected as a whole.
      if (!wordStart || (index < rejectedRunEnd && retries >= numberRetries)) continue;
      const length = matchAt(shape.number, text, index);
      if (length === 0) continue;
      end = add(classifyNumberRun(text.slice(index, index + length)), index, length);
      if (end === -1) {
        retries = index < rejectedRunEnd ? retries + 1 : 0;
        rejectedRunEnd = Math.max(rejectedRunEnd, index + length);
      }
    }
    if (end !== -1) {
      index = end - 1;
      previousIsAlphanumeric = false;
    }
  }
  return findings;
}

type Add = (type: PiiType | undefined, start: number, length: number) => number;

/** The shapes that begin a word, by its first character; the end of the one found, or -1. */
function wordShape(text: string, index: number, code: number, add: Add): number {
  switch (code) {
    case 0x73 /* s */: {
      if (!text.startsWith('sk-', index)) return -1;
      const length = matchAt(shape.providerKey, text, index);
      return length === 0 ? -1 : add(providerKeyKind(text.slice(index, index + length)), index, length);
    }
    case 0x65 /* e */: {
      if (!text.startsWith('eyJ', index)) return -1;
      const length = matchAt(shape.jwt, text, index);
      if (length === 0) return -1;
      const header = text.slice(index, text.indexOf('.', index));
      return add(isJwtHeader(header) ? 'jwt' : undefined, index, length);
    }
    case 0x67 /* g */: {
      if (text.charCodeAt(index + 1) !== 0x68 /* h */ && !text.startsWith('github_pat_', index)) return -1;
      const length = matchAt(shape.github, text, index);
      const random = length > 0 && looksRandom(text.slice(index + 4, index + length));
      return add(random ? 'github_token' : undefined, index, length);
    }
    case 0x78 /* x */: {
      if (!text.startsWith('xox', index)) return -1;
      const length = matchAt(shape.slack, text, index);
      const random = length > 0 && looksRandom(text.slice(index + 5, index + length));
      return add(random ? 'slack_token' : undefined, index, length);
    }
    default:
      return isUpperCase(code) ? capitalShape(text, index, code, add) : -1;
  }
}

/** AWS access key ids and Google API keys begin with `A`; IBANs with a country code. */
function capitalShape(text: string, index: number, code: number, add: Add): number {
  if (code === 0x41 /* A */ && (text.startsWith('IA', index + 2) || text.startsWith('Iza', index + 1))) {
    const aws = matchAt(shape.aws, text, index);
    if (aws > 0) return add('aws_access_key', index, aws);
    const google = matchAt(shape.google, text, index);
    if (google > 0) return add('google_api_key', index, google);
  }
  if (!isUpperCase(text.charCodeAt(index + 1)) || !isDigit(text.charCodeAt(index + 2))) return -1;
  const length = matchAt(shape.iban, text, index);
  if (length === 0) return -1;
  return add(isIban(text.slice(index, index + length).replaceAll(' ', '')) ? 'iban' : undefined, index, length);
}

/** An email, found at its `@`: its local part is read backwards, at most 64 characters. */
function email(text: string, atIndex: number, lastEnd: number, add: Add): number {
  let start = atIndex;
  while (start > lastEnd && atIndex - start < 65 && isLocalPartCharacter(text.charCodeAt(start - 1)))
    start -= 1;
  if (start > lastEnd && isLocalPartCharacter(text.charCodeAt(start - 1))) return -1;
  // `...john@example.com`: the address begins at its first letter or digit.
  while (start < atIndex && !isAlphanumeric(text.charCodeAt(start))) start += 1;
  if (start === atIndex) return -1;
  return add('email', start, matchAt(shape.email, text, start));
}

/** What a character can do for the loop; ASCII only, since every shape is ASCII. */
const other = 0;
const letter = 1;
const digit = 2;
const atSign = 3;
const dash = 4;
const numberOpener = 5;
const roles = new Uint8Array(128);
for (let code = 0; code < 128; code += 1) {
  if (isDigit(code)) roles[code] = digit;
  else if (isUpperCase(code) || (code >= 0x61 && code <= 0x7a)) roles[code] = letter;
}
roles[0x40] = atSign;
roles[0x2d] = dash;
roles[0x2b] = numberOpener;
roles[0x28] = numberOpener;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isUpperCase(code: number): boolean {
  return code >= 0x41 && code <= 0x5a;
}

function isAlphanumeric(code: number): boolean {
  return isDigit(code) || isUpperCase(code) || (code >= 0x61 && code <= 0x7a);
}

/** `[A-Za-z0-9._%+-]`: what an email's local part is made of (quoted local parts are not read). */
function isLocalPartCharacter(code: number): boolean {
  return (
    isAlphanumeric(code) || code === 0x2e || code === 0x5f || code === 0x25 || code === 0x2b || code === 0x2d
  );
}
