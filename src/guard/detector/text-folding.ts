/**
 * Folding of one code point to what the detector's features see. Attackers dress the same words
 * in other characters (fullwidth or mathematical letters, Cyrillic look-alikes, accents, invisible
 * separators, Unicode tag characters that smuggle ASCII); folding makes them the same n-grams as
 * the plain words, in training and in scoring alike.
 */

/**
 * Look-alikes NFKC leaves alone (other scripts, letters that do not decompose, typographic
 * punctuation), each as "<look-alike><Latin>" separated by spaces.
 */
const lookAlikePairs = [
  // Cyrillic
  'аa вb еe ёe кk мm нh оo рp сc тt уy хx ѕs іi їi јj һh ԁd ԛq ԝw ӏl ɡg ոn',
  // Greek
  'αa βb γy εe ηn ιi κk νv οo ρp τt υu χx ωw ςs μu',
  // Latin
  'ßss æae œoe øo đd łl ıi ŀl ħh ŧt ſs ɑa ɩi ʏy ɴn ʀr ᴀa ᴇe ᴏo ᴛt ᴜu',
  // Punctuation
  '‘\' ’\' ‚\' ‛\' “" ”" „" ‟" «" »" ‐- ‑- ‒- –- —- ―- −- …...',
].join(' ');

function lookAlikeTable(): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  for (const pair of lookAlikePairs.split(' ')) {
    const [first = ''] = pair;
    table.set(first, pair.slice(first.length));
  }
  return table;
}

const marks = /\p{M}/gu;
const formatCharacter = /^\p{Cf}$/u;
const spaceCharacter = /^[\p{Zs}\u2028\u2029\u0085]$/u;

/** Unicode tag characters (U+E0020–E007E) mirror ASCII invisibly: decoded, not dropped. */
const tagFirst = 0xe0020;
const tagLast = 0xe007e;

/** The folded text of a non-ASCII code point ('' when it is invisible, ' ' for a space). */
export function foldCodePoint(codePoint: number, lookAlikes: ReadonlyMap<string, string>): string {
  if (codePoint >= tagFirst && codePoint <= tagLast) {
    return String.fromCharCode(codePoint - 0xe0000).toLowerCase();
  }
  const character = String.fromCodePoint(codePoint);
  if (spaceCharacter.test(character)) return ' ';
  if (formatCharacter.test(character)) return '';
  const decomposed = character.normalize('NFKC').toLowerCase().normalize('NFD').replace(marks, '');
  let folded = '';
  for (const part of decomposed) folded += lookAlikes.get(part) ?? part;
  return folded;
}

/**
 * A memo of foldCodePoint, bounded so an input of a million distinct code points cannot grow it
 * without limit; beyond the bound a code point is folded again each time (correct, slower).
 */
export class CodePointFolder {
  private readonly memo = new Map<number, string>();
  private readonly lookAlikes = lookAlikeTable();
  private readonly capacity: number;

  constructor(capacity = 32_768) {
    this.capacity = capacity;
  }

  fold(codePoint: number): string {
    const known = this.memo.get(codePoint);
    if (known !== undefined) return known;
    const folded = foldCodePoint(codePoint, this.lookAlikes);
    if (this.memo.size < this.capacity) this.memo.set(codePoint, folded);
    return folded;
  }
}
