import { memberPath } from '../json-bounds.js';
import type { ArgsScreener, ScreenVerdict } from './injection-screen.js';

/**
 * Test support: a screener for decision tests that need one that finds something, without the
 * guard (which governance may not import). A short list of the crudest override phrasings; the
 * gateway screens with the guard's trained detector.
 */

/** Matched against lower-cased text with runs of whitespace as one space. */
const builtInPatterns: readonly { readonly name: string; readonly expression: RegExp }[] = [
  {
    name: 'ignore previous instructions',
    expression:
      /\b(ignore|disregard|forget|override) (all |any )?(the |your )?(previous|prior|above|earlier|system) (instructions|prompts?|rules|polic(y|ies))/,
  },
  {
    name: 'ignore your instructions',
    expression:
      /\b(ignore|disregard|forget|bypass|override) your (instructions|rules|guidelines|polic(y|ies))/,
  },
  { name: 'system prompt', expression: /\b(new|reveal|print|show|repeat) (the |your )?system prompt\b/ },
  { name: 'jailbreak', expression: /\b(jailbreak|do anything now|dan mode|developer mode enabled)\b/ },
  {
    name: 'role override',
    expression: /\b(from now on,? you (are|will)|pretend (that )?you are|you are no longer)\b/,
  },
  { name: 'chat template token', expression: /<\|im_(start|end)\|>|\[\/?inst\]|<\/?system>/ },
];

const nothingDetected: ScreenVerdict = Object.freeze({ detected: false });

function screenText(text: string, field: string): ScreenVerdict {
  const normalised = text.toLowerCase().replace(/\s+/g, ' ');
  for (const { name, expression } of builtInPatterns) {
    if (expression.test(normalised)) return { detected: true, field, pattern: name };
  }
  return nothingDetected;
}

/**
 * Every string in the fields, object keys included, walked iteratively (the validator bounds the
 * size and depth; a loop cannot overflow the stack whatever it is given).
 */
export const phraseScreener: ArgsScreener = (fields) => {
  // Reversed, so the first field is screened first (`action`, as Lelu does).
  const pending: { value: unknown; path: string }[] = Object.keys(fields)
    .map((key) => ({ value: fields[key], path: key }))
    .reverse();
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    const { value, path } = item;
    if (typeof value === 'string') {
      const verdict = screenText(value, path);
      if (verdict.detected) return verdict;
    } else if (Array.isArray(value)) {
      value.forEach((member: unknown, index) => pending.push({ value: member, path: `${path}[${index}]` }));
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, member] of Object.entries(value)) {
        const memberAt = memberPath(path, key);
        const verdict = screenText(key, memberAt);
        if (verdict.detected) return verdict;
        pending.push({ value: member as unknown, path: memberAt });
      }
    }
  }
  return nothingDetected;
};
