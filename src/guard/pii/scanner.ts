import { isIban } from './checksums.js';
import { classifyNumberRun } from './number-runs.js';
import type { Finding, PiiType } from './pii-types.js';
import { isJwtHeader, looksRandom, providerKeyKind } from './token-checks.js';

/**
 * The detector: one pass over the text, character by character, that stops only where a value can
 * begin — an `@` (an email, read back to its local part), `-----BEGIN ` (a private-key block), or
 * the start of a word whose first character opens a shape (`s` for `sk-`, `A` for an AWS key id,
 * a digit, `+` or `(` for a card or phone number, two capitals for an IBAN, ...). There the shape's
 * own expression is tried at that position (sticky), and a match is confirmed by its validator
 * (Luhn and a card scheme, IBAN length and mod 97, a JWT header that names `alg`, a key that
 * looks random).
 *
 * Why by hand: one combined regular expression tried every alternative at every character and
 * cost about 20 µs per KB of prose; this loop skips the inside of words and costs a few (the unit
 * bench, `pii-bench.ts`, measures it). Every expression is bounded, so the pass stays linear in the
 * text's length however it is built, which matters because it runs over every log line and, when
 * configured, every prompt and answer.
 *
 * What may not stand before a value is checked in code, not by a look-behind, so that the end of
 * a value just found counts as a boundary: the text is scanned as it will read once that value is
 * masked, and scanning the masked text finds nothing new.
 *
 * The private-key block accepts `\n` written as two characters, so a key inside a JSON string (a
 * serialised log line) is found as one block.
 */

const pemLabel = String.raw`(?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?`;
// Base64 lines, `Proc-Type:` / `DEK-Info:` headers, and any dash that does not begin the END line.
const pemBody = String.raw`(?:[A-Za-z0-9+/=:, \t\r\n]|-(?!----)|\\[rnt])`;

/** A token character (base64url), but never the start of a dash line (`-----BEGIN ...`). */
const tokenCharacter = String.raw`(?:[A-Za-z0-9_]|-(?!----))`;

const shape = {
  privateKey: sticky(
    String.raw`-----BEGIN ${pemLabel}-----${pemBody}{0,16384}(?:-----END ${pemLabel}-----)?`,
  ),
  jwt: sticky(
    String.raw`eyJ${tokenCharacter}{5,2048}\.${tokenCharacter}{2,16384}\.${tokenCharacter}{0,2048}(?![\w]|-(?!----))`,
  ),
  providerKey: sticky(String.raw`sk-${tokenCharacter}{20,512}(?![\w]|-(?!----))`),
  aws: sticky(String.raw`A[KS]IA[A-Z0-9]{16}(?![A-Za-z0-9])`),
  google: sticky(String.raw`AIza${tokenCharacter}{35}(?![\w]|-(?!----))`),
  github: sticky(String.raw`(?:gh[opsur]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})(?!\w)`),
  slack: sticky(String.raw`xox[abepors]-(?:[A-Za-z0-9]|-(?!----)){10,250}(?![\w]|-(?!----))`),
  // Written whole, or in groups of four each after one space (as printed); capitals and digits.
  iban: sticky(
    String.raw`[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,3})?)(?![A-Za-z0-9])`,
  ),
  email: sticky(
    String.raw`[A-Za-z0-9][\w.%+-]{0,63}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w]|-(?!----))`,
  ),
  number: sticky(String.raw`[+(]?\d(?:(?:[ ./-]|\) ?| ?\()?\d){6,22}(?![\w]|[./-]\d)`),
};

function sticky(source: string): RegExp {
  return new RegExp(source, 'y');
}

/** The length of `expression`'s match at `position`, or 0. */
function matchAt(expression: RegExp, text: string, position: number): number {
  expression.lastIndex = position;
  return expression.exec(text)?.[0].length ?? 0;
}

/**
 * Every value of `types` (all kinds by default) found in `text`, in order and never overlapping.
 * Never throws on any string (lone surrogates, megabytes of one character): a failing validator
 * is a value not found.
 */
export function scanText(text: string, types?: ReadonlySet<PiiType>): Finding[] {
  const scan = new Scan(text);
  const findings: Finding[] = [];
  let previousIsAlphanumeric = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const role = code < 128 ? (roles[code] ?? other) : other;
    const inWord = previousIsAlphanumeric;
    previousIsAlphanumeric = role === letter || role === digit;
    // Inside a word nothing begins but an email's `@` (and a dash run, which is no word).
    if (role === other || (inWord && role !== atSign && role !== dash)) continue;
    const found = scan.at(index, role);
    if (found === undefined) continue;
    if (types === undefined || types.has(found.type)) findings.push(found);
    index = found.end - 1;
    previousIsAlphanumeric = false;
  }
  return findings;
}

/** One pass's state: where the last value ended, and the end of the number run it last gave up on. */
class Scan {
  private lastEnd = 0;
  private rejectedRunEnd = -1;

  constructor(private readonly text: string) {}

  /** The value that begins at `index`, if any (a word start, an `@`, a `-`, `+` or `(`). */
  at(index: number, role: number): Finding | undefined {
    // The end of a value just found is a boundary, whatever character it was.
    const before = index === this.lastEnd ? space : this.text.charCodeAt(index - 1);
    let found: Finding | undefined;
    if (role === atSign) found = this.email(index);
    else if (role === dash) found = this.privateKey(index);
    else if (role === letter) found = this.word(index, before);
    else found = this.number(index, before);
    if (found !== undefined) this.lastEnd = found.end;
    return found;
  }

  private privateKey(index: number): Finding | undefined {
    if (!this.text.startsWith('-----BEGIN ', index)) return undefined;
    return confirm('private_key', index, matchAt(shape.privateKey, this.text, index));
  }

  /** The shapes that begin a word, by its first character. */
  private word(index: number, before: number): Finding | undefined {
    const { text } = this;
    // No shape continues a dashed or underscored name (`task-...`, `my_sk-...`).
    if (before === 0x5f /* _ */ || before === 0x2d /* - */) return undefined;
    const value = (expression: RegExp) => text.slice(index, index + matchAt(expression, text, index));
    switch (text.charCodeAt(index)) {
      case 0x73 /* s */: {
        if (!text.startsWith('sk-', index)) return undefined;
        const key = value(shape.providerKey);
        return confirm(providerKeyKind(key), index, key.length);
      }
      case 0x65 /* e */: {
        if (!text.startsWith('eyJ', index)) return undefined;
        const token = value(shape.jwt);
        const header = token.slice(0, token.indexOf('.'));
        return confirm(isJwtHeader(header) ? 'jwt' : undefined, index, token.length);
      }
      case 0x67 /* g */: {
        if (!text.startsWith('gh', index) && !text.startsWith('github_pat_', index)) return undefined;
        const token = value(shape.github);
        const secret = token.slice(token.startsWith('github_pat_') ? 11 : 4);
        return confirm(looksRandom(secret) ? 'github_token' : undefined, index, token.length);
      }
      case 0x78 /* x */: {
        if (!text.startsWith('xox', index)) return undefined;
        const token = value(shape.slack);
        return confirm(looksRandom(token.slice(5)) ? 'slack_token' : undefined, index, token.length);
      }
      default:
        return this.capitals(index);
    }
  }

  /** AWS access key ids and Google API keys begin with `A`; IBANs with a country code. */
  private capitals(index: number): Finding | undefined {
    const { text } = this;
    if (!isUpperCase(text.charCodeAt(index))) return undefined;
    if (text.startsWith('IA', index + 2) || text.startsWith('Iza', index + 1)) {
      const key =
        confirm('aws_access_key', index, matchAt(shape.aws, text, index)) ??
        confirm('google_api_key', index, matchAt(shape.google, text, index));
      if (key !== undefined) return key;
    }
    if (!isUpperCase(text.charCodeAt(index + 1)) || !isDigit(text.charCodeAt(index + 2))) return undefined;
    const length = matchAt(shape.iban, text, index);
    if (length === 0) return undefined;
    if (isIban(text.slice(index, index + length).replaceAll(' ', ''))) return confirm('iban', index, length);
    // An IBAN-shaped string with a wrong check is one token: its digit groups are no phone number.
    this.rejectedRunEnd = index + length;
    return undefined;
  }

  /**
   * A card or phone number, beginning with a digit, `+` or `(`. A run of digit groups that is
   * neither may still end in one (`ref 12 4111 1111 1111 1111`): it is tried again from each later
   * group that can begin a card or phone, then skipped whole, so every run is read a bounded number
   * of times (`1 1 1 1 …` has no such group).
   */
  private number(index: number, before: number): Finding | undefined {
    if (isNumberJoiner(before) || index < this.rejectedRunEnd) return undefined;
    const { text } = this;
    const length = matchAt(shape.number, text, index);
    if (length === 0) return undefined;
    const run = text.slice(index, index + length);
    for (const offset of [0, ...laterGroupsThatCanBegin(run)]) {
      const start = index + offset;
      const candidate = offset === 0 ? length : matchAt(shape.number, text, start);
      const found = confirm(classifyNumberRun(text.slice(start, start + candidate)), start, candidate);
      if (found !== undefined) return found;
    }
    this.rejectedRunEnd = index + length;
    return undefined;
  }

  /** An email, found at its `@`: its local part is read backwards, at most 64 characters. */
  private email(atIndex: number): Finding | undefined {
    const { text, lastEnd } = this;
    let start = atIndex;
    while (start > lastEnd && atIndex - start < 65 && isLocalPartCharacter(text.charCodeAt(start - 1)))
      start -= 1;
    if (start > lastEnd && isLocalPartCharacter(text.charCodeAt(start - 1))) return undefined;
    // `...john@example.com`: the address begins at its first letter or digit.
    while (start < atIndex && !isAlphanumeric(text.charCodeAt(start))) start += 1;
    if (start === atIndex) return undefined;
    return confirm('email', start, matchAt(shape.email, text, start));
  }
}

/**
 * Where inside a number run a card or phone number could begin: `+`, `(`, a trunk `0`, a group of
 * three or four digits (an area code, a card's first group), a card written whole (13 digits or
 * more), or a `1` before a group of three (a North American country code).
 */
function laterGroupsThatCanBegin(run: string): number[] {
  const starts: number[] = [];
  for (let index = 1; index < run.length; index += 1) {
    const code = run.charCodeAt(index);
    // Not after what a number never follows (`13.4111…` is a fraction, `v2-4111…` a name).
    if (isNumberJoiner(run.charCodeAt(index - 1)) || !(isDigit(code) || code === 0x2b || code === 0x28))
      continue;
    let group = 0;
    while (isDigit(run.charCodeAt(index + group))) group += 1;
    const countryCodeOne = group === 1 && code === 0x31 && /^1[ .-]\d{3}(?!\d)/.test(run.slice(index));
    if (
      code === 0x2b /* + */ ||
      code === 0x28 /* ( */ ||
      code === 0x30 /* 0 */ ||
      group === 3 ||
      group === 4 ||
      group >= 13 ||
      countryCodeOne
    )
      starts.push(index);
  }
  return starts;
}

function confirm(type: PiiType | undefined, start: number, length: number): Finding | undefined {
  return type === undefined || length === 0 ? undefined : { type, start, end: start + length };
}

/** What a character can do for the loop; ASCII only, since every shape is ASCII. */
const other = 0;
const letter = 1;
const digit = 2;
const atSign = 3;
const dash = 4;
const numberOpener = 5;
const space = 0x20;
const roles = new Uint8Array(128);
for (let code = 0; code < 128; code += 1) {
  if (isDigit(code)) roles[code] = digit;
  else if (isUpperCase(code) || (code >= 0x61 && code <= 0x7a)) roles[code] = letter;
}
roles[0x40] = atSign;
roles[0x2d] = dash;
roles[0x2b] = numberOpener;
roles[0x28] = numberOpener;

/**
 * What a card or phone number does not follow: a letter or digit (inside a word), `.` `,`
 * (decimals, versions, addresses), `#` `/` `@` `$` `-` `+` `_` (ids, paths, amounts, names).
 */
const numberJoiners = new Set([0x2e, 0x2c, 0x2b, 0x23, 0x2f, 0x40, 0x24, 0x2d, 0x5f]);

function isNumberJoiner(code: number): boolean {
  return isAlphanumeric(code) || numberJoiners.has(code);
}

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
