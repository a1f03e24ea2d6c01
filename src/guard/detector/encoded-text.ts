import { Buffer } from 'node:buffer';

/**
 * Runs of base64 or hex in a text, decoded when they decode to readable UTF-8 text: an attacker
 * who writes "decode this and do what it says: SWdub3Jl…" hides the instruction from n-grams, so
 * the decoded text is scored too. Binary payloads (images, keys, hashes) decode to bytes that are
 * not text and are left alone. A text that mentions ROT13 or reading backwards is also scored
 * rotated or reversed (only then: the views cost a second scoring of the text).
 */

export interface DecodedRun {
  /** The run's range in the scored text. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

const base64Run = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
const hexRun = /\b(?:[0-9A-Fa-f]{2}){12,}\b/g;

/** Bounds on the work one text may cause: decoding is for short hidden instructions. */
const mostRuns = 16;
const longestRun = 16_384;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function readableText(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  let letters = 0;
  let spaces = 0;
  let controls = 0;
  for (const character of text) {
    if (/\p{L}/u.test(character)) letters += 1;
    else if (character === ' ') spaces += 1;
    else if (/[\p{Cc}\p{Co}\p{Cn}\uFFFD]/u.test(character) && !/[\t\n\r]/.test(character)) controls += 1;
  }
  const length = text.length;
  // Readable prose: mostly letters, some spaces (words), no control bytes.
  if (controls > 0 || spaces === 0 || letters < length * 0.6) return undefined;
  return text;
}

function base64Bytes(run: string): Uint8Array {
  const standard = run.replace(/-/g, '+').replace(/_/g, '/');
  return Buffer.from(standard, 'base64');
}

const rotationHint = /rot[\s_-]?13|c(?:a|ä|ae|é|e)sar/i;
const reversalHint =
  /backwards|\brevers(?:e|ed) (?:the |this )?(?:text|order|string|sentence|letters)|r(?:ü|ue|u)ckw(?:ä|ae|a)rts|(?:à|a) l'envers|al rev(?:é|e)s|a rovescio/i;
const longestView = 16_384;

function rotated(text: string): string {
  return text.replace(/[A-Za-z]/g, (letter) => {
    const base = letter <= 'Z' ? 65 : 97;
    return String.fromCharCode(((letter.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** The text rotated by 13 or reversed, when it asks for that (see above). */
function hintedViews(text: string): DecodedRun[] {
  if (text.length > longestView) return [];
  const views: DecodedRun[] = [];
  if (rotationHint.test(text)) views.push({ start: 0, end: text.length, text: rotated(text) });
  if (reversalHint.test(text))
    views.push({ start: 0, end: text.length, text: Array.from(text).reverse().join('') });
  return views;
}

export function decodedRuns(text: string): readonly DecodedRun[] {
  const runs: DecodedRun[] = [];
  const seen = new Set<number>();
  const collect = (expression: RegExp, decode: (run: string) => Uint8Array): void => {
    expression.lastIndex = 0;
    for (let match = expression.exec(text); match !== null; match = expression.exec(text)) {
      if (runs.length >= mostRuns) return;
      const run = match[0];
      if (run.length > longestRun || seen.has(match.index)) continue;
      const decoded = readableText(decode(run));
      if (decoded === undefined) continue;
      seen.add(match.index);
      runs.push({ start: match.index, end: match.index + run.length, text: decoded });
    }
  };
  collect(hexRun, (run) => Buffer.from(run, 'hex'));
  collect(base64Run, base64Bytes);
  return [...runs, ...hintedViews(text)];
}
