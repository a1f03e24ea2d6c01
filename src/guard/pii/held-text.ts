import { applyMasks, maskAll } from './masking.js';
import type { Finding, PiiType } from './pii-types.js';
import { scanText } from './scanner.js';

/**
 * Text of one streamed answer part (an OpenAI choice, an Anthropic content block) on its way to
 * the caller, masked although a value may arrive split over several deltas (`jo` `hn@exam`
 * `ple.com`). Each delta releases what can no longer become part of a value and holds the rest:
 * the trailing run of characters a value is made of (letters, digits, `@._%+-/=:~()`, and a space
 * between groups of digits or capitals, as in `+1 (415) 555 2671`), an unfinished BEGIN or END line of
 * a private-key block, and any value found that reaches the held text or the end (an unfinished
 * private-key block). Prose therefore waits for at most its last partial word; a long token waits
 * until it ends.
 *
 * The bound: never more than `maxHeldCharacters` (4096) per part. Past it the oldest text is
 * released, masked as far as it is recognised; a single value longer than that (a private key
 * longer than RSA-4096's, a JWT over 4 KB) can then be masked in pieces. Nothing else is ever
 * cut: the held text begins after a character no value contains, so it scans as the whole text
 * would.
 */
export const maxHeldCharacters = 4096;
/**
 * Released characters kept for the next scan, as the caller received them: the one before the held
 * text decides whether a value may begin there (`#4111…` is an order number; `]`, a mask's end, is
 * a boundary as the end of a value is). More would let a value cut off at the context's start
 * change how the held text scans (a partial IBAN's digits joined to a card's).
 */
const contextCharacters = 1;

export class HeldText {
  private pending = '';
  private context = '';

  constructor(
    private readonly types: ReadonlySet<PiiType>,
    private readonly found: (type: PiiType) => void,
  ) {}

  /** Takes the next delta; returns the masked text that may go to the caller now (maybe ''). */
  push(delta: string): string {
    this.pending += delta;
    return this.release(false);
  }

  /** The part ended: everything still held, masked. */
  flush(): string {
    return this.pending === '' ? '' : this.release(true);
  }

  get holding(): boolean {
    return this.pending !== '';
  }

  private release(all: boolean): string {
    const offset = this.context.length;
    const text = this.context + this.pending;
    const findings = scanText(text, this.types).filter((finding) => finding.end > offset);
    const cut = all ? text.length : safeCut(text, offset, findings);
    if (cut === offset) return '';
    const released: Finding[] = [];
    for (const finding of findings) {
      if (finding.start >= cut) break;
      // A value that began in the context was released in part already: the rest is masked.
      released.push({
        type: finding.type,
        start: Math.max(finding.start, offset) - offset,
        end: finding.end - offset,
      });
      this.found(finding.type);
    }
    const raw = this.pending.slice(0, cut - offset);
    this.pending = this.pending.slice(cut - offset);
    const result = released.length === 0 ? raw : this.secondLook(applyMasks(raw, released));
    // What the caller received, not what was there: the end of a masked value is a boundary.
    this.context = (this.context + result).slice(-contextCharacters);
    return result;
  }

  /**
   * The masked text scanned again, after its context, for a value that only ends where its
   * neighbour was masked (as `maskAll` does for a whole text).
   */
  private secondLook(masked: string): string {
    const { context } = this;
    const scan = (text: string) =>
      scanText(text, this.types).filter((finding) => finding.start >= context.length);
    return maskAll(context + masked, scan, this.found).slice(context.length);
  }
}

/** Where the released text may end: before the trailing run and any value that is not finished. */
function safeCut(text: string, offset: number, findings: readonly Finding[]): number {
  let cut = Math.min(trailingRunStart(text, offset), unfinishedHeaderStart(text, offset));
  for (const finding of findings) {
    // A value reaching the held text, or the end, may go on (a private key's next line, its END
    // line arriving): it is held whole too.
    if (finding.start < cut && (finding.end >= cut || finding.end === text.length)) cut = finding.start;
  }
  if (text.length - cut > maxHeldCharacters) {
    cut = text.length - maxHeldCharacters;
    // Never split a surrogate pair, nor a value found whole: it is released masked.
    if (isLowSurrogate(text.charCodeAt(cut))) cut -= 1;
    for (const finding of findings) if (finding.start < cut && finding.end > cut) cut = finding.end;
  }
  return Math.max(cut, offset);
}

/**
 * A private-key block's BEGIN and END lines are the only values with spaces between words
 * (`-----BEGIN RSA PRIVATE KEY-----`): until such a line is complete, it is held from its start.
 */
function unfinishedHeaderStart(text: string, offset: number): number {
  let start = text.length;
  for (const marker of ['-----BEGIN ', '-----END ']) {
    const line = text.lastIndexOf(marker);
    if (line >= offset && !completeLine.test(text.slice(line, line + 80))) start = Math.min(start, line);
  }
  return start;
}

const completeLine = /^-----(?:BEGIN|END) [A-Z0-9 ]{0,60}-----/;

/** The start of the run of value characters the text ends with (never before `offset`). */
function trailingRunStart(text: string, offset: number): number {
  let start = text.length;
  const limit = Math.max(offset, text.length - maxHeldCharacters);
  while (start > limit) {
    const code = text.charCodeAt(start - 1);
    if (isValueCharacter(code)) start -= 1;
    else if (code === 0x20 && joinsGroups(text, start - 1)) start -= 1;
    else break;
  }
  return start;
}

/**
 * A space between groups of digits or capitals (`4111 1111`, `+1 (415) 555`, `GB82 WEST 1234`)
 * belongs to the value; at the very end of the text, one after such a group may still be followed
 * by the next group. A space between words of prose does not.
 */
function joinsGroups(text: string, index: number): boolean {
  if (!isGroupCharacter(text.charCodeAt(index - 1))) return false;
  return index === text.length - 1 || isGroupCharacter(text.charCodeAt(index + 1));
}

function isGroupCharacter(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x5a) || code === 0x28 || code === 0x29;
}

/** Characters any detected value is made of, apart from the spaces between digit groups. */
function isValueCharacter(code: number): boolean {
  return (
    isDigit(code) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x40 /* @ */ ||
    code === 0x2e /* . */ ||
    code === 0x5f /* _ */ ||
    code === 0x25 /* % */ ||
    code === 0x2b /* + */ ||
    code === 0x2d /* - */ ||
    code === 0x2f /* / */ ||
    code === 0x3d /* = */ ||
    code === 0x3a /* : */ ||
    code === 0x7e /* ~ */ ||
    code === 0x28 /* ( */ ||
    code === 0x29 /* ) */
  );
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
