import { loadInjectionDetector } from '../load-detector.js';
import type { ScoredSource } from '../detector-contract.js';
import { attackedContexts } from './bipia-injection.js';
import { isHeldOut, readBipiaAttacks, readBipiaEmails, readDeepset, readOwnRows } from './datasets.js';
import { figuresTable, type ScoredRow } from './evaluation-metrics.js';

/**
 * `npm run eval:guard`: the shipped weights file on the test sets nobody trained or tuned on —
 * deepset test, BIPIA test (its test attacks inserted into its test e-mails, against the e-mails
 * clean) and the held-out fifth of our own rows — at the default severity threshold, 0.8.
 */
const threshold = 0.8;
const detector = loadInjectionDetector();
const score = (text: string, source: ScoredSource): number => detector.score(text, source).score;
const print = (lines: readonly string[]): void => {
  process.stdout.write(`${lines.join('\n')}\n`);
};

const deepset: ScoredRow[] = readDeepset('test').map((row) => ({
  label: row.label,
  score: score(row.text, 'input'),
  kind: row.label === 1 ? 'injection' : 'benign',
}));

const emails = readBipiaEmails('test');
const bipia: ScoredRow[] = [
  ...attackedContexts(readBipiaAttacks('test'), emails).map((attacked) => ({
    label: 1 as const,
    score: score(attacked.text, 'tool_result'),
    kind: `${attacked.family}: ${attacked.category}`,
  })),
  ...emails.map((text) => ({ label: 0 as const, score: score(text, 'tool_result'), kind: 'clean e-mail' })),
];

const own = readOwnRows().filter(isHeldOut);
const ownScored: ScoredRow[] = own.map((row) => ({
  label: row.label,
  score: score(row.text, row.source),
  kind: `${row.label === 1 ? 'attack' : 'benign'}: ${row.kind}`,
}));
const ownAsInput: ScoredRow[] = own.map((row) => ({
  label: row.label,
  score: score(row.text, 'input'),
  kind: `${row.label === 1 ? 'attack' : 'benign'}: ${row.language}`,
}));

print([
  `At the default severity threshold ${threshold}: precision, recall, FPR. recall@2%FPR and recall@5%FPR: the`,
  "recall at the threshold where this set's own false-positive rate is at most 2 % / 5 % (points of its ROC curve).",
  '',
]);
print(figuresTable('deepset test (source input)', deepset, threshold));
print(['']);
print(figuresTable('BIPIA test: attacks in e-mails (tool_result)', bipia, threshold));
print(['']);
if (own.length > 0) {
  print(figuresTable('own held-out (each row its source)', ownScored, threshold));
  print(['']);
  print(figuresTable('own held-out, all as input, by language', ownAsInput, threshold));
}
