import type { Random } from './seeded-random.js';

/**
 * A small template language for generated training rows: `{a|b|c}` picks one alternative (they
 * nest; `{a|}` makes `a` optional), `§name` picks one entry of the slot `name` (entries are
 * templates too). Generated rows add the combinations of verbs, objects and framings that a few
 * hundred hand-written rows cannot cover: "ignore/disregard/skip" × "previous/earlier/above" ×
 * "instructions/rules/guidelines" as attacks, and the same verbs with harmless objects ("the
 * typo", "my last email") as benign rows, in each language.
 */
export interface Grammar {
  readonly language: string;
  readonly slots: Readonly<Record<string, readonly string[]>>;
  /** Attacks a user could type. */
  readonly attacks: readonly string[];
  /** Instructions hidden in a document, inserted into benign documents when generated. */
  readonly hidden: readonly string[];
  readonly benign: readonly string[];
}

function closingBrace(template: string, open: number): number {
  let depth = 0;
  for (let index = open; index < template.length; index += 1) {
    if (template[index] === '{') depth += 1;
    else if (template[index] === '}') {
      depth -= 1;
      if (depth === 0) return index;
    }
  }
  throw new Error(`unbalanced braces in ${template}`);
}

function alternatives(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < body.length; index += 1) {
    const character = body[index];
    if (character === '{') depth += 1;
    else if (character === '}') depth -= 1;
    else if (character === '|' && depth === 0) {
      parts.push(body.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(body.slice(start));
  return parts;
}

function choose<T>(items: readonly T[], random: Random): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('a choice without alternatives');
  return item;
}

export function expand(template: string, grammar: Grammar, random: Random, depth = 0): string {
  if (depth > 12) throw new Error(`templates nest too deep: ${template}`);
  let text = '';
  for (let index = 0; index < template.length;) {
    const character = template[index] ?? '';
    if (character === '{') {
      const close = closingBrace(template, index);
      text += expand(
        choose(alternatives(template.slice(index + 1, close)), random),
        grammar,
        random,
        depth + 1,
      );
      index = close + 1;
    } else if (character === '§') {
      const name = /^§([A-Za-z]+)/.exec(template.slice(index))?.[1] ?? '';
      const slot = grammar.slots[name];
      if (slot === undefined) throw new Error(`unknown slot @${name} (${grammar.language})`);
      text += expand(choose(slot, random), grammar, random, depth + 1);
      index += name.length + 1;
    } else {
      text += character;
      index += 1;
    }
  }
  return text;
}

/** Spaces and capitals tidied as a person would type them. */
export function tidy(text: string): string {
  const collapsed = text
    .replace(/\s+/g, ' ')
    .replace(/\s+([.,:;!?])/g, '$1')
    .trim();
  return collapsed.charAt(0).toUpperCase() + collapsed.slice(1);
}

/** `perTemplate` distinct expansions of each template (fewer when a template has fewer). */
export function generate(
  templates: readonly string[],
  grammar: Grammar,
  perTemplate: number,
  random: Random,
): string[] {
  const texts = new Set<string>();
  for (const template of templates) {
    const own = new Set<string>();
    for (let attempt = 0; attempt < perTemplate * 4 && own.size < perTemplate; attempt += 1) {
      own.add(tidy(expand(template, grammar, random)));
    }
    for (const text of own) texts.add(text);
  }
  return [...texts];
}
