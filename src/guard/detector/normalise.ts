import type { CodePointFolder } from './text-folding.js';

/**
 * The text the features are computed on: folded code units, each with the offset in the source
 * string it came from, so a window found in the folded text can be reported in the caller's text.
 */
export interface NormalisedText {
  readonly codes: Uint16Array;
  readonly origins: Int32Array;
  readonly size: number;
}

const space = 0x20;
const exclamation = 0x21;

function isLetterOrDigit(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code >= 0xc0;
}

/** Separators of spaced-out letters: "i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e". */
function isLetterSeparator(code: number): boolean {
  return (
    code === space ||
    code === 0x2e || // .
    code === 0x2d || // -
    code === 0x5f || // _
    code === 0x2a || // *
    code === 0x7c || // |
    code === 0x2f || // /
    code === 0x2b || // +
    code === 0x7e // ~
  );
}

/** Leetspeak digits and symbols, by code, folded to the letter they stand for. */
const leetLetters: ReadonlyMap<number, number> = new Map(
  [
    ['0', 'o'],
    ['1', 'i'],
    ['3', 'e'],
    ['4', 'a'],
    ['5', 's'],
    ['7', 't'],
    ['$', 's'],
    ['!', 'i'],
  ].map(([from = '', to = '']) => [from.charCodeAt(0), to.charCodeAt(0)]),
);

function isAsciiLetter(code: number): boolean {
  return code >= 0x61 && code <= 0x7a;
}

function isLeetToken(code: number): boolean {
  return isAsciiLetter(code) || (code >= 0x30 && code <= 0x39) || leetLetters.has(code);
}

class CodeBuffer {
  codes: Uint16Array;
  origins: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.codes = new Uint16Array(Math.max(16, capacity));
    this.origins = new Int32Array(Math.max(16, capacity));
  }

  /** Empties the buffer for reuse, making room for `capacity` units without growing. */
  reset(capacity: number): void {
    this.size = 0;
    if (this.codes.length >= capacity) return;
    this.codes = new Uint16Array(capacity);
    this.origins = new Int32Array(capacity);
  }

  push(code: number, origin: number): void {
    if (this.size === this.codes.length) {
      const codes = new Uint16Array(this.size * 2);
      codes.set(this.codes);
      this.codes = codes;
      const origins = new Int32Array(this.size * 2);
      origins.set(this.origins);
      this.origins = origins;
    }
    this.codes[this.size] = code;
    this.origins[this.size] = origin;
    this.size += 1;
  }
}

/**
 * The buffers one normaliser reuses from text to text, so scoring allocates nothing per call once
 * they have grown to the longest text seen. A NormalisedText is valid until the next call.
 */
export class NormaliseScratch {
  readonly folded = new CodeBuffer(1024);
  readonly joined = new CodeBuffer(1024);
}

/** Case, compatibility forms, accents, look-alikes and invisible characters folded away. */
function foldCharacters(text: string, folder: CodePointFolder, folded: CodeBuffer): CodeBuffer {
  folded.reset(text.length + 16);
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) {
      if (code >= 0x41 && code <= 0x5a) folded.push(code + 0x20, index);
      else if (code >= 0x20 && code !== 0x7f) folded.push(code, index);
      else if (code >= 0x09 && code <= 0x0d) folded.push(space, index);
      continue;
    }
    const codePoint = text.codePointAt(index) ?? code;
    const replacement = folder.fold(codePoint);
    for (let part = 0; part < replacement.length; part += 1) {
      folded.push(replacement.charCodeAt(part), index);
    }
    if (codePoint > 0xffff) index += 1;
  }
  return folded;
}

function isSingleCharacterToken(codes: Uint16Array, size: number, at: number): boolean {
  return (
    at < size &&
    isLetterOrDigit(codes[at] ?? 0) &&
    (at === 0 || !isLetterOrDigit(codes[at - 1] ?? 0)) &&
    (at + 1 >= size || !isLetterOrDigit(codes[at + 1] ?? 0))
  );
}

/** A run of single characters, each one separator apart: [first, last] code positions. */
interface SingleRun {
  readonly first: number;
  readonly last: number;
  readonly letters: number;
}

function singleRuns(codes: Uint16Array, size: number): SingleRun[] {
  const runs: SingleRun[] = [];
  for (let at = 0; at < size; at += 1) {
    if (!isSingleCharacterToken(codes, size, at)) continue;
    let last = at;
    let letters = 1;
    while (isLetterSeparator(codes[last + 1] ?? 0) && isSingleCharacterToken(codes, size, last + 2)) {
      last += 2;
      letters += 1;
    }
    runs.push({ first: at, last, letters });
    at = last;
  }
  return runs;
}

function onlySpacesBetween(codes: Uint16Array, from: number, to: number): boolean {
  for (let at = from; at < to; at += 1) if (codes[at] !== space) return false;
  return true;
}

/**
 * The runs to join: four letters or more, and shorter runs of two or three next to one (only
 * spaces between), so "i g n o r e   a l l" becomes "ignore all".
 */
function runsToJoin(codes: Uint16Array, size: number): SingleRun[] {
  const runs = singleRuns(codes, size);
  const joined = runs.map((run) => run.letters >= 4);
  for (let pass = 0; pass < 2; pass += 1) {
    runs.forEach((run, index) => {
      if (joined[index] === true || run.letters < 2) return;
      const before = runs[index - 1];
      const after = runs[index + 1];
      if (
        (before !== undefined &&
          joined[index - 1] === true &&
          onlySpacesBetween(codes, before.last + 1, run.first)) ||
        (after !== undefined &&
          joined[index + 1] === true &&
          onlySpacesBetween(codes, run.last + 1, after.first))
      ) {
        joined[index] = true;
      }
    });
  }
  return runs.filter((_, index) => joined[index] === true);
}

/**
 * Joins spaced-out letters ("i g n o r e" becomes "ignore"; "i-g-n-o-r-e p-r-e-v" becomes "ignore
 * prev": a separator other than the run's first one separates words; words spaced apart by more
 * than one separator stay apart). Drops a hyphen between two letters ("ign-ore", "e-mail"). Then
 * collapses spaces, trims, and shortens runs of one repeated character to three.
 */
function joinAndCollapse(input: CodeBuffer, output: CodeBuffer): CodeBuffer {
  const { codes, origins, size } = input;
  output.reset(size + 16);
  const emitCode = (code: number, origin: number): void => {
    const last = output.size - 1;
    if (code === space && (last < 0 || output.codes[last] === space)) return;
    if (last >= 2 && output.codes[last] === code && output.codes[last - 1] === code) {
      if (output.codes[last - 2] === code) return;
    }
    output.push(code, origin);
  };
  const runs = runsToJoin(codes, size);
  let nextRun = 0;
  for (let at = 0; at < size; at += 1) {
    const code = codes[at] ?? 0;
    const run = runs[nextRun];
    if (run !== undefined && run.first === at) {
      const joiner = codes[at + 1] ?? 0;
      for (let letter = run.first; letter <= run.last; letter += 2) {
        emitCode(codes[letter] ?? 0, origins[letter] ?? 0);
        if (letter < run.last && codes[letter + 1] !== joiner) emitCode(space, origins[letter + 1] ?? 0);
      }
      at = run.last;
      nextRun += 1;
      continue;
    }
    const isInnerHyphen =
      code === 0x2d && isAsciiLetter(codes[at - 1] ?? 0) && isAsciiLetter(codes[at + 1] ?? 0);
    if (!isInnerHyphen) emitCode(code, origins[at] ?? 0);
  }
  if (output.size > 0 && output.codes[output.size - 1] === space) output.size -= 1;
  return output;
}

/**
 * Folds leetspeak inside a token that mixes letters with digits or symbols ("1gn0r3" → "ignore",
 * "p4553" → "passe"), but not one digit at the end ("gpt4", "mp3", "h264") or plain numbers: a
 * token with a letter is folded when a leet character comes before a letter, or when it holds
 * two leet characters.
 */
function foldLeetspeak(buffer: CodeBuffer): void {
  const { codes, size } = buffer;
  let start = 0;
  while (start < size) {
    if (!isLeetToken(codes[start] ?? 0)) {
      start += 1;
      continue;
    }
    let end = start;
    let letters = 0;
    let leetBeforeLetter = false;
    let leetCount = 0;
    while (end < size && isLeetToken(codes[end] ?? 0)) {
      const code = codes[end] ?? 0;
      if (isAsciiLetter(code)) {
        letters += 1;
        if (leetCount > 0) leetBeforeLetter = true;
      } else if (code === exclamation) {
        if (isAsciiLetter(codes[end + 1] ?? 0)) leetCount += 1;
      } else if (leetLetters.has(code)) {
        leetCount += 1;
      }
      end += 1;
    }
    if (letters >= 1 && (leetBeforeLetter || leetCount >= 2)) {
      for (let at = start; at < end; at += 1) {
        const code = codes[at] ?? 0;
        // A "!" only stands for "i" before a letter ("h!dden"), never at the end ("stop!!").
        if (code === exclamation && !isAsciiLetter(codes[at + 1] ?? 0)) continue;
        codes[at] = leetLetters.get(code) ?? code;
      }
    }
    start = end;
  }
}

export function normaliseText(
  text: string,
  folder: CodePointFolder,
  scratch: NormaliseScratch = new NormaliseScratch(),
): NormalisedText {
  const joined = joinAndCollapse(foldCharacters(text, folder, scratch.folded), scratch.joined);
  foldLeetspeak(joined);
  return { codes: joined.codes, origins: joined.origins, size: joined.size };
}

/** The folded text as a string, for tests and for reading what the detector saw. */
export function normalisedString(normalised: NormalisedText): string {
  let text = '';
  for (let at = 0; at < normalised.size; at += 1) text += String.fromCharCode(normalised.codes[at] ?? 0);
  return text;
}
