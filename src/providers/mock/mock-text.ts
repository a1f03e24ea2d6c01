/**
 * Small text helpers shared by the mock's answer, embeddings and wire code. They scan characters
 * by hand instead of using regular expressions because they run on every request of a benchmark.
 */

/** 32-bit FNV-1a over UTF-16 code units: cheap, stable across runs, good enough to derive ids. */
export function hashText(text: string, seed = 0x811c9dc5): number {
  let hash = seed >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function toHex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 160;
}

/** Words longer than this are cut, so one enormous "word" cannot make an enormous answer. */
const longestWord = 40;

/** The first `count` whitespace-separated words of `text`, and whether more followed. */
export function firstWords(text: string, count: number): { words: string[]; more: boolean } {
  const words: string[] = [];
  let start = -1;
  for (let index = 0; index <= text.length; index++) {
    const boundary = index === text.length || isSpace(text.charCodeAt(index));
    if (boundary) {
      if (start !== -1) {
        if (words.length === count) return { words, more: true };
        words.push(text.slice(start, Math.min(index, start + longestWord)));
        start = -1;
      }
    } else if (start === -1) {
      start = index;
    }
  }
  return { words, more: false };
}

/**
 * Splits text into the pieces a stream delivers: each word with the spaces before it, so the
 * pieces concatenate back to the text exactly and their count is the answer's token count.
 */
export function splitWords(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const space = isSpace(text.charCodeAt(index));
    if (space && inWord) {
      pieces.push(text.slice(start, index));
      start = index;
      inWord = false;
    } else if (!space) {
      inWord = true;
    }
  }
  if (start < text.length) pieces.push(text.slice(start));
  return pieces;
}

/**
 * Splits text into about `count` pieces of equal length (for JSON, which has no words), never
 * between the two halves of a surrogate pair so every piece is valid UTF-16 on its own.
 */
export function splitEvenly(text: string, count: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, count)));
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + size);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end += 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

/** Total length of the strings in a JSON value, for a deterministic token estimate. */
export function countCharacters(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (depth > 32 || typeof value !== 'object' || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += countCharacters(item, depth + 1);
    return total;
  }
  for (const key in value) {
    total += countCharacters((value as Record<string, unknown>)[key], depth + 1);
  }
  return total;
}

/** The estimate the mock reports as prompt tokens: about four characters per token, at least one. */
export function estimateTokens(characters: number): number {
  return Math.max(1, Math.ceil(characters / 4));
}
