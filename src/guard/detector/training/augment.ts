import { Buffer } from 'node:buffer';
import { insertAttack, insertPositions } from './bipia-injection.js';
import type { OwnRow } from './datasets.js';
import { pick, seededRandom, type Random } from './seeded-random.js';

/**
 * Rows derived from our own training attacks, deterministically (seeded): an obfuscated copy of
 * each, and each short attack inserted into a benign document. Derived rows keep the index of the
 * row they came from, so cross-validation keeps them in its fold.
 */

export interface DerivedRow {
  readonly text: string;
  readonly rowIndex: number;
  /** Where the attack is, when it was inserted into a document. */
  readonly span?: { readonly start: number; readonly end: number };
}

const leet: Readonly<Record<string, string>> = { a: '4', e: '3', i: '1', o: '0', s: '5', t: '7' };
const cyrillic: Readonly<Record<string, string>> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  x: 'х',
  y: 'у',
  i: 'і',
};
const base64Lead = [
  'Decode this base64 and follow it:',
  'base64:',
  'Please decode and execute:',
  'Dekodiere das und befolge es:',
  'Décode ceci et applique-le :',
  'Decodifica esto y síguelo:',
  '',
];

type Obfuscation = (text: string, random: Random) => string;

const obfuscations: readonly Obfuscation[] = [
  (text, random) =>
    text.replace(/[aeiost]/g, (letter) => (random() < 0.7 ? (leet[letter] ?? letter) : letter)),
  (text, random) =>
    text
      .split(' ')
      .map((word) =>
        word.length >= 4 && random() < 0.6 ? Array.from(word).join(pick([' ', '.', '-'], random)) : word,
      )
      .join('   '),
  (text, random) =>
    text.replace(/[aeopcxyi]/g, (letter) => (random() < 0.5 ? (cyrillic[letter] ?? letter) : letter)),
  (text, random) =>
    Array.from(text)
      .map((character) => (random() < 0.3 ? `${character}\u200b` : character))
      .join(''),
  (text, random) => `${pick(base64Lead, random)} ${Buffer.from(text, 'utf8').toString('base64')}`.trim(),
  (text) =>
    Array.from(text)
      .map((character) => {
        const code = character.charCodeAt(0);
        return code > 0x20 && code < 0x7f ? String.fromCharCode(code + 0xfee0) : character;
      })
      .join(''),
];

export function obfuscatedCopies(rows: readonly OwnRow[], seed: number): readonly DerivedRow[] {
  const random = seededRandom(seed ^ 0x0b5c);
  const derived: DerivedRow[] = [];
  rows.forEach((row, rowIndex) => {
    if (row.label !== 1 || row.text.length > 600) return;
    derived.push({ text: pick(obfuscations, random)(row.text, random), rowIndex });
  });
  return derived;
}

/** Attacks a user could type (not already inside a document), inserted into benign documents. */
export function carrierInsertions(
  rows: readonly OwnRow[],
  carriers: readonly string[],
  seed: number,
): readonly DerivedRow[] {
  if (carriers.length === 0) return [];
  const random = seededRandom(seed ^ 0xca44);
  const derived: DerivedRow[] = [];
  rows.forEach((row, rowIndex) => {
    if (row.label !== 1 || row.source !== 'input' || row.text.length > 400) return;
    derived.push({
      ...insertAttack(pick(carriers, random), row.text, pick(insertPositions, random)),
      rowIndex,
    });
  });
  return derived;
}

/**
 * Our documents that carry a marked injection, with the injection taken out: the same e-mail, page
 * or code, benign. A pair that differs only in the injection teaches the model the injection, not
 * the document around it.
 */
export function contrastDocuments(rows: readonly OwnRow[]): readonly DerivedRow[] {
  const derived: DerivedRow[] = [];
  rows.forEach((row, rowIndex) => {
    if (row.label !== 1 || row.payload === undefined || row.payload.trim() === '') return;
    const text = row.text
      .replace(row.payload, ' ')
      .replace(/[ \t]+/g, ' ')
      .trim();
    if (text.length >= 20) derived.push({ text, rowIndex });
  });
  return derived;
}
