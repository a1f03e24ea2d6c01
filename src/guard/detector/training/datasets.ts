import { readdirSync, readFileSync } from 'node:fs';
import { mix32 } from '../features.js';

/**
 * The labelled data the detector is trained and evaluated on, read from the repository's copy in
 * data/guard/ (so a clean clone can retrain): deepset/prompt-injections (Apache-2.0), BIPIA's
 * attacks and e-mail contexts (MIT), and our own hand-written rows.
 */

export const dataDirectory = new URL('../../../../data/guard/', import.meta.url);

export interface LabelledText {
  readonly text: string;
  /** 1 = injection. */
  readonly label: 0 | 1;
}

/** A hand-written row: what it is, in which language, and where such text reaches a model. */
export interface OwnRow extends LabelledText {
  readonly kind: string;
  readonly language: string;
  readonly source: 'input' | 'tool_result';
  /** In a document that carries an injection, the injected part (a substring of `text`). */
  readonly payload?: string | undefined;
}

export interface BipiaAttack {
  readonly category: string;
  readonly text: string;
  readonly family: 'text' | 'code';
}

function readLines(relativePath: string): unknown[] {
  return readFileSync(new URL(relativePath, dataDirectory), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as unknown;
      } catch {
        throw new Error(`${relativePath}:${index + 1}: not JSON`);
      }
    });
}

function labelled(value: unknown, where: string): LabelledText {
  const row = value as Partial<LabelledText>;
  if (typeof row.text !== 'string' || (row.label !== 0 && row.label !== 1)) {
    throw new Error(`${where}: expected {text, label: 0|1}`);
  }
  return { text: row.text, label: row.label };
}

export function readDeepset(split: 'train' | 'test'): readonly LabelledText[] {
  return readLines(`deepset/${split}.jsonl`).map((row, index) =>
    labelled(row, `deepset/${split}:${index + 1}`),
  );
}

export function readBipiaAttacks(split: 'train' | 'test'): readonly BipiaAttack[] {
  const attacks: BipiaAttack[] = [];
  for (const family of ['text', 'code'] as const) {
    const path = new URL(`bipia/${family}_attack_${split}.json`, dataDirectory);
    const byCategory = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string[]>;
    for (const [category, texts] of Object.entries(byCategory)) {
      for (const text of texts) attacks.push({ category, text, family });
    }
  }
  return attacks;
}

export function readBipiaEmails(split: 'train' | 'test'): readonly string[] {
  return readLines(`bipia/email_${split}.jsonl`).map((row, index) => {
    const context = (row as { context?: unknown }).context;
    if (typeof context !== 'string') throw new Error(`bipia/email_${split}:${index + 1}: no context`);
    return context;
  });
}

const ownSources = new Set(['input', 'tool_result']);

export function readOwnRows(): readonly OwnRow[] {
  const files = readdirSync(new URL('own/', dataDirectory))
    .filter((name) => name.endsWith('.jsonl'))
    .sort();
  return files.flatMap((file) =>
    readLines(`own/${file}`).map((value, index) => {
      const where = `own/${file}:${index + 1}`;
      const row = value as Partial<OwnRow>;
      const { text, label } = labelled(value, where);
      if (
        typeof row.kind !== 'string' ||
        typeof row.language !== 'string' ||
        !ownSources.has(row.source ?? '')
      ) {
        throw new Error(`${where}: expected kind, language and source (input | tool_result)`);
      }
      if (row.payload !== undefined && (typeof row.payload !== 'string' || !text.includes(row.payload))) {
        throw new Error(`${where}: payload must be a part of the text`);
      }
      return {
        text,
        label,
        kind: row.kind,
        language: row.language,
        source: row.source ?? 'input',
        payload: row.payload,
      };
    }),
  );
}

/** A stable hash of a text (FNV-1a over UTF-16 code units, murmur3-mixed). */
export function textHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193);
  }
  return mix32(hash);
}

/**
 * One in five of our own rows, chosen by the hash of its text, is held out: never trained on,
 * never used to choose anything, only reported by the evaluation.
 */
export function isHeldOut(row: OwnRow): boolean {
  return textHash(row.text) % 5 === 0;
}
