import { isCardNumber } from './checksums.js';

/**
 * Tells what a run of digits and separators is: a card number, a phone number, or neither (an
 * order number, a date, a version, an IP address, a timestamp). The scanner finds the run; the
 * rules here are deliberately narrow, since a false positive rewrites a caller's prompt.
 *
 * - Card: 13–19 digits of a known scheme passing Luhn, written whole or in the groups cards are
 *   printed in (4-4-4-4[-3], 4-6-5, 4-6-4), with one kind of separator (space or dash).
 * - Phone: international with `+` (8–15 digits, E.164); North American 3-3-4 with separators or
 *   parentheses; national numbers with a trunk `0` and at least one separator (`030 12345678`,
 *   `020 7946 0958`, `(0171) 1234567`, French pairs `01 23 45 67 89`). A bare run of digits
 *   without `+` is never a phone: it is far more often an id or a timestamp.
 */
export type NumberKind = 'card' | 'phone' | undefined;

const cardGroupings: readonly (readonly number[])[] = [
  [4, 4, 4, 4],
  [4, 4, 4, 4, 3],
  [4, 4, 4, 4, 2],
  [4, 4, 4, 1],
  [4, 6, 5],
  [4, 6, 4],
];

const northAmerican = /^(?:1[ .-])?(?:\([2-9]\d{2}\) ?|[2-9]\d{2}[ .-])[2-9]\d{2}[ .-]\d{4}$/;
const nationalWithArea = /^(?:\(0\d{2,4}\) ?|0\d{2,4}[ /-])\d{3,8}(?:[ -]\d{3,4}){0,2}$/;
const frenchPairs = /^0[1-9](?:[ .-]\d{2}){4}$/;
const international = /^\+[1-9](?:[ .-]|\) ?| ?\()?(?:\d(?:[ .-]|\) ?| ?\()?){6,20}\d$/;

export function classifyNumberRun(run: string): NumberKind {
  const digits = run.replace(/\D/g, '');
  if (isCard(run, digits)) return 'card';
  if (isPhone(run, digits)) return 'phone';
  return undefined;
}

function isCard(run: string, digits: string): boolean {
  if (digits.length < 13 || digits.length > 19) return false;
  if (run.length !== digits.length) {
    const separator = run.includes(' ') ? ' ' : '-';
    const groups = run.split(separator);
    if (groups.some((group) => !/^\d+$/.test(group))) return false;
    const lengths = groups.map((group) => group.length);
    if (!cardGroupings.some((grouping) => sameNumbers(grouping, lengths))) return false;
  }
  return isCardNumber(digits);
}

function isPhone(run: string, digits: string): boolean {
  if (run.startsWith('+')) return digits.length >= 8 && digits.length <= 15 && international.test(run);
  if (northAmerican.test(run)) return true;
  if (digits.length < 9 || digits.length > 12) return false;
  return nationalWithArea.test(run) || frenchPairs.test(run);
}

function sameNumbers(left: readonly number[], right: readonly number[]): boolean {
  return left.length === right.length && left.every((value, index) => value === right[index]);
}
