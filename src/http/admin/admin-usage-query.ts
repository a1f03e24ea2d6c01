import { GatewayError } from '../../errors/index.js';

export const usageDimensions = ['key', 'model', 'provider', 'day', 'team'] as const;
export type UsageDimension = (typeof usageDimensions)[number];

/** The report filters as the usage store takes them (structurally `UsageQuery` of accounting/). */
export interface UsageReportQuery {
  /** Unix milliseconds, inclusive. */
  readonly from: number;
  /** Unix milliseconds, exclusive. */
  readonly to: number;
  readonly keyId?: string;
  readonly team?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly groupBy: readonly UsageDimension[];
}

export type ParsedQuery =
  | { readonly ok: true; readonly query: UsageReportQuery }
  | { readonly ok: false; readonly error: GatewayError };

const dayMs = 86_400_000;
export const defaultRangeMs = 7 * dayMs;
const filters = { key: 'keyId', model: 'model', provider: 'provider', team: 'team' } as const;
const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTime = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;
/** The range JavaScript dates can represent, so every accepted instant can be shown back as ISO. */
const latestMs = 8.64e15;

function invalid(message: string, param: string): ParsedQuery {
  return { ok: false, error: new GatewayError('invalid_request', message, { param }) };
}

/** A real calendar day (rejects 2026-02-30, which `Date.parse` would roll into March). */
function isCalendarDay(year: string, month: string, day: string): boolean {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  );
}

/**
 * Unix milliseconds, or an ISO 8601 date or date-time (UTC unless it carries an offset). A date
 * alone means the start of that day for `from` and the end of it for `to`, so `from=2026-01-01&
 * to=2026-01-31` covers all of January.
 */
export function parseInstant(value: string, bound: 'from' | 'to'): number | undefined {
  if (/^\d{1,16}$/.test(value)) {
    const milliseconds = Number(value);
    return milliseconds <= latestMs ? milliseconds : undefined;
  }
  const day = dateOnly.exec(value);
  if (day !== null) {
    const [, year = '', month = '', date = ''] = day;
    if (!isCalendarDay(year, month, date)) return undefined;
    const start = Date.UTC(Number(year), Number(month) - 1, Number(date));
    return bound === 'to' ? start + dayMs : start;
  }
  const time = dateTime.exec(value);
  if (time === null) return undefined;
  const [, year = '', month = '', date = '', , , zone] = time;
  if (!isCalendarDay(year, month, date)) return undefined;
  const milliseconds = Date.parse(zone === undefined ? `${value}Z` : value);
  return Number.isNaN(milliseconds) ? undefined : milliseconds;
}

function parseGroupBy(value: string): UsageDimension[] | string {
  if (value.trim() === '') return [];
  const groupBy: UsageDimension[] = [];
  for (const part of value.split(',')) {
    const name = part.trim();
    const dimension = usageDimensions.find((known) => known === name);
    if (dimension === undefined)
      return `Unknown group_by value '${name.slice(0, 40)}'; use ${usageDimensions.join(', ')}.`;
    if (groupBy.includes(dimension)) return `group_by names '${dimension}' twice.`;
    groupBy.push(dimension);
  }
  return groupBy;
}

/**
 * Validates an admin report's query string: only known parameters, each given once; `from` and
 * `to` as ISO dates or unix milliseconds (default: the last 7 days); filters by key id, model,
 * provider and team; `group_by` a comma-separated list of dimensions when `allowGroupBy`.
 */
export function parseUsageQuery(
  raw: unknown,
  settings: {
    readonly now: number;
    readonly allowGroupBy: boolean;
    readonly defaultGroupBy: readonly UsageDimension[];
  },
): ParsedQuery {
  const parameters = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(parameters)) {
    const known =
      name === 'from' ||
      name === 'to' ||
      Object.hasOwn(filters, name) ||
      (name === 'group_by' && settings.allowGroupBy);
    if (!known) {
      const accepted = [
        'from',
        'to',
        ...Object.keys(filters),
        ...(settings.allowGroupBy ? ['group_by'] : []),
      ];
      return invalid(
        `Unknown query parameter '${name.slice(0, 40)}'; accepted: ${accepted.join(', ')}.`,
        name.slice(0, 40),
      );
    }
    if (typeof value !== 'string') return invalid(`Query parameter '${name}' must be given once.`, name);
    values[name] = value;
  }

  let to = settings.now;
  if (values.to !== undefined) {
    const parsed = parseInstant(values.to, 'to');
    if (parsed === undefined)
      return invalid("'to' must be an ISO 8601 date or date-time, or unix milliseconds.", 'to');
    to = parsed;
  }
  let from = to - defaultRangeMs;
  if (values.from !== undefined) {
    const parsed = parseInstant(values.from, 'from');
    if (parsed === undefined)
      return invalid("'from' must be an ISO 8601 date or date-time, or unix milliseconds.", 'from');
    from = parsed;
  }
  if (from >= to) return invalid("'from' must be earlier than 'to'.", 'from');

  const query: { -readonly [K in keyof UsageReportQuery]: UsageReportQuery[K] } = {
    from,
    to,
    groupBy: settings.defaultGroupBy,
  };
  for (const [name, field] of Object.entries(filters)) {
    const value = values[name];
    if (value === undefined) continue;
    if (value === '' || value.length > 256)
      return invalid(`'${name}' must be between 1 and 256 characters.`, name);
    query[field] = value;
  }
  if (values.group_by !== undefined) {
    const groupBy = parseGroupBy(values.group_by);
    if (typeof groupBy === 'string') return invalid(groupBy, 'group_by');
    query.groupBy = groupBy;
  }
  return { ok: true, query };
}
