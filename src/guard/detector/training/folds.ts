import { textHash } from './datasets.js';

/** The cross-validation fold of a group of rows (a row and what was derived from it). */
export function groupFold(group: string, folds: number): number {
  return textHash(group) % folds;
}
