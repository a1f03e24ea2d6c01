import type { NormalisedText } from './normalise.js';

/**
 * The detector's features, hashed (no string is built per n-gram): character 2–5-grams of the
 * folded text, word unigrams, word bigrams and word skip-bigrams (one word between), each hashed
 * with FNV-1a over UTF-16 code units, finished with murmur3's mixer and cut to `bucketBits`.
 * Each feature is recorded at the position it starts, so a window of the text sums the features
 * that start inside it. Training and scoring both call this function: what a model learnt is what
 * it is given.
 */

/** Which features, and how much a word or class feature counts against a character n-gram. */
export interface FeatureSettings {
  readonly shortestGram: number;
  readonly longestGram: number;
  /** A word feature's value relative to a character n-gram's (the scorer multiplies by it). */
  readonly wordWeight: number;
  /** A word-class feature's value relative to a character n-gram's. */
  readonly conceptWeight: number;
  /** Pairs of word classes are features when at most this many words apart. */
  readonly conceptReach: number;
}

/**
 * Word classes (concept-lexicon.ts in training) by hash: prefix entries by the hash of the prefix,
 * exact entries by the hash of the word, both hashed as words are, so a word is classed while it
 * is hashed, with number-keyed lookups.
 */
export interface CompiledLexicon {
  readonly prefixes: ReadonlyMap<number, number>;
  readonly exact: ReadonlyMap<number, number>;
  readonly longestPrefix: number;
}

export function compileLexicon(lexicon: Readonly<Record<string, readonly string[]>>): CompiledLexicon {
  const prefixes = new Map<number, number>();
  const exact = new Map<number, number>();
  let longestPrefix = 0;
  Object.values(lexicon).forEach((lines, concept) => {
    for (const entry of lines.join(' ').split(' ')) {
      if (entry === '') continue;
      const isPrefix = entry.endsWith('*');
      const word = isPrefix ? entry.slice(0, -1) : entry;
      let hash = fnvOffset ^ wordSeed;
      for (let index = 0; index < word.length; index += 1)
        hash = Math.imul(hash ^ word.charCodeAt(index), fnvPrime);
      const table = isPrefix ? prefixes : exact;
      const known = table.get(hash);
      if (known !== undefined && known !== concept)
        throw new Error(`lexicon entry ${entry} is in two classes`);
      table.set(hash, concept);
      if (isPrefix) longestPrefix = Math.max(longestPrefix, word.length);
    }
  });
  return { prefixes, exact, longestPrefix };
}

const fnvOffset = 0x811c9dc5;
const fnvPrime = 0x01000193;
const wordSeed = 0x2545f491;
const bigramSeed = 0x632be5ab;
const skipSeed = 0x1b873593;
const conceptSeed = 0x4cf5ad43;
const conceptPairSeed = 0x2f6b7a91;

export function mix32(value: number): number {
  let hash = value ^ (value >>> 16);
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** Growable parallel arrays of (bucket, position), reused across calls by one scorer. */
export class FeatureBuffer {
  buckets = new Int32Array(1024);
  positions = new Int32Array(1024);
  size = 0;
  /** Features before this index are character n-grams, then word features up to `wordFeatures`. */
  characterGrams = 0;
  /** Features from this index on are word-class features. */
  wordFeatures = 0;
  /** Per word of the last text: its class (−1 for none) and where it starts. */
  wordConcepts = new Int32Array(256);
  wordStarts = new Int32Array(256);

  reserve(count: number): void {
    if (count <= this.buckets.length) return;
    let capacity = this.buckets.length;
    while (capacity < count) capacity *= 2;
    this.buckets = new Int32Array(capacity);
    this.positions = new Int32Array(capacity);
  }

  reserveWords(count: number): void {
    if (count <= this.wordConcepts.length) return;
    let capacity = this.wordConcepts.length;
    while (capacity < count) capacity *= 2;
    this.wordConcepts = new Int32Array(capacity);
    this.wordStarts = new Int32Array(capacity);
  }
}

function isWordCode(code: number): boolean {
  return (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) || code >= 0xc0;
}

/** Fills `into` with the features of `text`; returns how many. */
export function extractFeatures(
  text: NormalisedText,
  bucketBits: number,
  settings: FeatureSettings,
  lexicon: CompiledLexicon,
  into: FeatureBuffer,
): number {
  const { codes, size } = text;
  const shift = 32 - bucketBits;
  const { shortestGram, longestGram, conceptReach } = settings;
  const gramsPerPosition = longestGram - shortestGram + 1;
  // At most one word starts every other code unit; each gives up to three word features, one
  // class feature and a pair with each class within reach.
  const mostWords = Math.ceil(size / 2) + 1;
  into.reserve(size * gramsPerPosition + mostWords * (4 + conceptReach) + 8);
  into.reserveWords(mostWords);
  const { buckets, positions, wordConcepts, wordStarts } = into;
  const { prefixes, exact, longestPrefix } = lexicon;
  let words = 0;
  let count = 0;

  for (let start = 0; start + 1 < size; start += 1) {
    let hash = Math.imul(fnvOffset ^ (codes[start] ?? 0), fnvPrime);
    const last = Math.min(size - 1, start + longestGram - 1);
    for (let end = start + 1; end <= last; end += 1) {
      hash = Math.imul(hash ^ (codes[end] ?? 0), fnvPrime);
      if (end - start + 1 < shortestGram) continue;
      buckets[count] = mix32(hash) >>> shift;
      positions[count] = start;
      count += 1;
    }
  }
  into.characterGrams = count;

  let previousWord = 0;
  let previousStart = -1;
  let earlierWord = 0;
  let earlierStart = -1;
  let at = 0;
  while (at < size) {
    if (!isWordCode(codes[at] ?? 0)) {
      at += 1;
      continue;
    }
    const wordStart = at;
    let word = fnvOffset ^ wordSeed;
    let concept = -1;
    while (at < size && isWordCode(codes[at] ?? 0)) {
      word = Math.imul(word ^ (codes[at] ?? 0), fnvPrime);
      at += 1;
      if (at - wordStart <= longestPrefix) concept = prefixes.get(word) ?? concept;
    }
    concept = exact.get(word) ?? concept;
    wordConcepts[words] = concept;
    wordStarts[words] = wordStart;
    words += 1;
    buckets[count] = mix32(word) >>> shift;
    positions[count] = wordStart;
    count += 1;
    if (previousStart >= 0) {
      buckets[count] = mix32(Math.imul(previousWord, 0x9e3779b1) ^ word ^ bigramSeed) >>> shift;
      positions[count] = previousStart;
      count += 1;
    }
    if (earlierStart >= 0) {
      buckets[count] = mix32(Math.imul(earlierWord, 0x85ebca77) ^ word ^ skipSeed) >>> shift;
      positions[count] = earlierStart;
      count += 1;
    }
    earlierWord = previousWord;
    earlierStart = previousStart;
    previousWord = word;
    previousStart = wordStart;
  }
  into.wordFeatures = count;

  for (let index = 0; index < words; index += 1) {
    const concept = wordConcepts[index] ?? -1;
    if (concept < 0) continue;
    buckets[count] = mix32(Math.imul(concept + 1, 0x9e3779b1) ^ conceptSeed) >>> shift;
    positions[count] = wordStarts[index] ?? 0;
    count += 1;
    for (let back = 1; back <= conceptReach && back <= index; back += 1) {
      const earlier = wordConcepts[index - back] ?? -1;
      if (earlier < 0) continue;
      buckets[count] =
        mix32(Math.imul(earlier + 1, 0x85ebca77) ^ Math.imul(concept + 1, 0xc2b2ae3d) ^ conceptPairSeed) >>>
        shift;
      positions[count] = wordStarts[index - back] ?? 0;
      count += 1;
    }
  }
  into.size = count;
  return count;
}
