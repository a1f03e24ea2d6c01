import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { UsageQuery, UsageSummaryRow } from '../../accounting/types.js';
import type { Database } from './database-schema.js';
import type { SqlDialect } from './sql-dialect.js';

type Grouping = UsageQuery['groupBy'][number];

/**
 * Sums usage over [from, to), grouped by any of key, model, provider, team and UTC day, ordered by
 * the groups in the order asked. Without groups the answer is one row of totals (zeros when nothing
 * matched). A group whose value is null (no provider answered, a key without a team) comes back
 * without that property.
 */
export async function summarizeUsage(
  database: Kysely<Database>,
  dialect: SqlDialect,
  query: UsageQuery,
): Promise<readonly UsageSummaryRow[]> {
  const groupings = [...new Set(query.groupBy)];
  const expressions = groupingExpressions(dialect);
  // The grouping expressions carry no bound parameters, so the text in `select` and `group by` is
  // identical, which Postgres requires to accept the select list.
  const groupExpressions = groupings.map((grouping) => expressions[grouping]);

  let builder = database
    .selectFrom('usage_records')
    .select((expression) => [
      ...groupings.map((grouping) => expressions[grouping].as(grouping)),
      expression.fn.countAll<number | string>().as('requests'),
      expression.fn.sum<number | string | null>('input_tokens').as('input_tokens'),
      expression.fn.sum<number | string | null>('output_tokens').as('output_tokens'),
      expression.fn.sum<number | string | null>('cached_input_tokens').as('cached_input_tokens'),
      expression.fn.sum<number | string | null>('cost_usd').as('cost_usd'),
      expression.fn.sum<number | string | null>('saved_cost_usd').as('saved_cost_usd'),
    ])
    .where('timestamp', '>=', query.from)
    .where('timestamp', '<', query.to);
  if (query.keyId !== undefined) builder = builder.where('key_id', '=', query.keyId);
  if (query.team !== undefined) builder = builder.where('team', '=', query.team);
  if (query.model !== undefined) builder = builder.where('model', '=', query.model);
  if (query.provider !== undefined) builder = builder.where('provider', '=', query.provider);
  if (groupExpressions.length > 0) builder = builder.groupBy(groupExpressions);
  for (const groupExpression of groupExpressions) builder = builder.orderBy(groupExpression);

  const rows: readonly Record<string, unknown>[] = await builder.execute();
  return rows.map((row) => ({
    ...groupValues(row, groupings),
    requests: toNumber(row.requests),
    inputTokens: toNumber(row.input_tokens),
    outputTokens: toNumber(row.output_tokens),
    cachedInputTokens: toNumber(row.cached_input_tokens),
    costUsd: toNumber(row.cost_usd),
    savedCostUsd: toNumber(row.saved_cost_usd),
  }));
}

function groupingExpressions(dialect: SqlDialect): Readonly<Record<Grouping, RawBuilder<string | null>>> {
  return {
    key: sql<string>`${sql.ref('key_id')}`,
    model: sql<string>`${sql.ref('model')}`,
    provider: sql<string | null>`${sql.ref('provider')}`,
    team: sql<string | null>`${sql.ref('team')}`,
    day: utcDay(dialect),
  };
}

/** `YYYY-MM-DD` of the record's timestamp (unix milliseconds) in UTC. */
function utcDay(dialect: SqlDialect): RawBuilder<string> {
  const seconds = sql`${sql.ref('timestamp')} / 1000`;
  switch (dialect) {
    case 'sqlite':
      return sql<string>`strftime('%Y-%m-%d', ${seconds}, 'unixepoch')`;
    case 'postgres':
      return sql<string>`to_char(to_timestamp(${seconds}) at time zone 'UTC', 'YYYY-MM-DD')`;
    default: {
      const unknownDialect: never = dialect;
      throw new Error(`unknown dialect ${String(unknownDialect)}`);
    }
  }
}

function groupValues(row: Record<string, unknown>, groupings: readonly Grouping[]): Partial<UsageSummaryRow> {
  const values: { -readonly [Name in Grouping]?: string } = {};
  for (const grouping of groupings) {
    const value = row[grouping];
    if (typeof value === 'string') values[grouping] = value;
  }
  return values;
}

/** Sums are null over no rows; Postgres's int8 and numeric arrive as numbers (see postgres-database.ts). */
function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}
