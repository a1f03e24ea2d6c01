import type { DetectorDomain } from '../weights-file.js';
import { attackedContexts } from './bipia-injection.js';
import { carrierInsertions, contrastDocuments, obfuscatedCopies } from './augment.js';
import { generatedRows } from './generated-rows.js';
import {
  isHeldOut,
  readBipiaAttacks,
  readBipiaEmails,
  readDeepset,
  readOwnRows,
  type OwnRow,
} from './datasets.js';
import type { TrainingRow } from './instances.js';
import { groupFold } from './folds.js';

/**
 * The training mix. Only training splits are read: deepset train, BIPIA's training attacks and
 * e-mails, and our own rows outside the held-out fifth.
 *
 * - deepset rows are messages from a user: the `direct` domain.
 * - BIPIA's attacks are often harmless requests ("What is the capital of Brazil?") that are
 *   injections only because they sit inside an e-mail the model was asked to read: they train the
 *   `indirect` domain only, against the same e-mails clean (which are negatives in both domains,
 *   as a user may paste an e-mail too).
 * - Our attacks are injections wherever they appear: both domains. Our benign documents (e-mails,
 *   web pages, code, tickets) are benign in both; our benign requests (source `input`: questions
 *   about security, translation tasks, games) are benign from a user, the `direct` domain.
 * - Augmentations of our training rows: obfuscated copies of attacks, and short attacks inserted
 *   into benign documents.
 */

export interface MixWeights {
  /** Generated rows per template and language (generated-rows.ts). */
  readonly generatedPerTemplate: number;
  readonly generated: number;
  readonly deepset: number;
  readonly bipiaAttack: number;
  readonly bipiaClean: number;
  readonly own: number;
  /** Our benign rows' weight relative to `own` (hard negatives count more than easy ones). */
  readonly ownBenignFactor: number;
  readonly augmented: number;
}

export const defaultMixWeights: MixWeights = {
  generatedPerTemplate: 16,
  generated: 0.4,
  deepset: 3,
  bipiaAttack: 3,
  bipiaClean: 2,
  own: 2,
  ownBenignFactor: 1.5,
  augmented: 0.5,
};

const bothDomains: readonly DetectorDomain[] = ['direct', 'indirect'];

function ownDomains(row: OwnRow): readonly DetectorDomain[] {
  return row.label === 1 || row.source === 'tool_result' ? bothDomains : ['direct'];
}

export function ownTrainingRows(): readonly OwnRow[] {
  return readOwnRows().filter((row) => !isHeldOut(row));
}

export function buildTrainingRows(mix: MixWeights, seed: number, folds: number): readonly TrainingRow[] {
  const rows: TrainingRow[] = [];
  readDeepset('train').forEach((row, index) => {
    rows.push({
      ...row,
      domains: ['direct'],
      group: `deepset:${index}`,
      weight: mix.deepset,
      origin: 'deepset',
    });
  });
  const emails = readBipiaEmails('train');
  const emailGroups = emails.map((_, index) => `bipia-email:${index}`);
  // An attack is inserted only into e-mails of its own cross-validation fold, so no fold is
  // tested on an e-mail it was trained on (around an attack or clean).
  readBipiaAttacks('train').forEach((attack, attackIndex) => {
    const group = `bipia-attack:${attackIndex}`;
    const fold = groupFold(group, folds);
    const contexts = emails.filter((_, index) => groupFold(emailGroups[index] ?? '', folds) === fold);
    for (const attacked of attackedContexts([attack], contexts.length > 0 ? contexts : emails, attackIndex)) {
      rows.push({
        text: attacked.text,
        span: attacked.span,
        label: 1,
        domains: ['indirect'],
        group,
        weight: mix.bipiaAttack,
        origin: 'bipia',
      });
    }
  });
  emails.forEach((text, index) => {
    rows.push({
      text,
      label: 0,
      domains: bothDomains,
      group: emailGroups[index] ?? '',
      weight: mix.bipiaClean,
      origin: 'bipia',
    });
  });
  const own = ownTrainingRows();
  own.forEach((row, index) => {
    const payloadAt = row.payload === undefined ? -1 : row.text.indexOf(row.payload);
    rows.push({
      text: row.text,
      span: payloadAt < 0 ? undefined : { start: payloadAt, end: payloadAt + (row.payload ?? '').length },
      label: row.label,
      domains: ownDomains(row),
      group: `own:${index}`,
      weight: row.label === 0 ? mix.own * mix.ownBenignFactor : mix.own,
      origin: 'own',
    });
  });
  const carriers = [
    ...own.filter((row) => row.label === 0 && row.source === 'tool_result').map((row) => row.text),
    ...emails,
  ];
  generatedRows(carriers, mix.generatedPerTemplate, seed).forEach((row, index) => {
    rows.push({
      text: row.text,
      span: row.span,
      label: row.label,
      domains: row.label === 1 ? bothDomains : ['direct'],
      group: `generated:${index}`,
      weight: mix.generated,
      origin: 'generated',
    });
  });
  for (const derived of contrastDocuments(own)) {
    rows.push({
      text: derived.text,
      label: 0,
      domains: bothDomains,
      group: `own:${derived.rowIndex}`,
      weight: mix.own,
      origin: 'own-contrast',
    });
  }
  for (const derived of [...obfuscatedCopies(own, seed), ...carrierInsertions(own, carriers, seed)]) {
    rows.push({
      text: derived.text,
      span: derived.span,
      label: 1,
      domains: bothDomains,
      group: `own:${derived.rowIndex}`,
      weight: mix.augmented,
      origin: 'own-augmented',
    });
  }
  return rows;
}
