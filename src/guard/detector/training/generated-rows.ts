import { insertAttack, insertPositions } from './bipia-injection.js';
import { generate, type Grammar } from './grammar.js';
import { englishGrammar } from './grammar-english.js';
import { frenchGrammar } from './grammar-french.js';
import { germanGrammar } from './grammar-german.js';
import { spanishGrammar } from './grammar-spanish.js';
import { pick, seededRandom } from './seeded-random.js';

/**
 * Rows generated from the grammars (grammar-*.ts), deterministically: attacks a user could type,
 * instructions hidden in benign documents (inserted at a random break, their span known), and
 * benign rows that use the same verbs on harmless objects.
 */
export interface GeneratedRow {
  readonly text: string;
  readonly label: 0 | 1;
  readonly kind: 'attack' | 'hidden' | 'benign';
  readonly span?: { readonly start: number; readonly end: number } | undefined;
}

export const grammars: readonly Grammar[] = [englishGrammar, germanGrammar, frenchGrammar, spanishGrammar];

export function generatedRows(
  carriers: readonly string[],
  perTemplate: number,
  seed: number,
): readonly GeneratedRow[] {
  const rows: GeneratedRow[] = [];
  grammars.forEach((grammar, index) => {
    const random = seededRandom(seed ^ Math.imul(index + 1, 0x9e3779b1));
    for (const text of generate(grammar.attacks, grammar, perTemplate, random))
      rows.push({ text, label: 1, kind: 'attack' });
    for (const text of generate(grammar.benign, grammar, perTemplate, random))
      rows.push({ text, label: 0, kind: 'benign' });
    if (carriers.length === 0) return;
    for (const hidden of generate(grammar.hidden, grammar, perTemplate, random)) {
      const inserted = insertAttack(pick(carriers, random), hidden, pick(insertPositions, random));
      rows.push({ text: inserted.text, label: 1, kind: 'hidden', span: inserted.span });
    }
  });
  return rows;
}
