import { sql, type Kysely, type Selectable } from 'kysely';
import {
  parseSummary,
  type AgentOutcomeCount,
  type AnalyticsStore,
  type HistoryDecision,
  type HistoryPage,
  type PolicyOutcomeCount,
  type ReviewerOutcome,
  type StoredBaseline,
} from '../../governance/analytics/index.js';
import { decisionKinds, type DecisionKind } from '../../governance/index.js';
import { expiredResolver } from '../../governance/review/index.js';
import type { AgentBaselinesTable, Database } from './database-schema.js';
import { parsePolicyIds } from './sql-review-store.js';

/**
 * What analytics reads and writes (migration 0008), on SQLite and Postgres alike: agent decisions
 * from the audit log (by `seq`, on the `(type, seq)` index), reviewer outcomes counted per time
 * bucket in `review_items` (integer division of `resolved_at`, the same on both databases), and
 * baselines in `agent_baselines`.
 */
export function createSqlAnalyticsStore(database: Kysely<Database>): AnalyticsStore {
  const decisionColumns = [
    'seq',
    'tenant_id',
    'actor',
    'action',
    'decision',
    'confidence_score',
    'timestamp',
    'recorded_at',
    'trace_id',
    'event_id',
    'details',
  ] as const;

  return {
    async decisionsAfter(afterSeq, limit) {
      const rows = await database
        .selectFrom('audit_records')
        .select(decisionColumns)
        .where('type', '=', 'decision')
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute();
      return pageOf(rows, afterSeq, limit);
    },
    async latestDecisions(limit) {
      const rows = await database
        .selectFrom('audit_records')
        .select(decisionColumns)
        .where('type', '=', 'decision')
        .orderBy('seq', 'desc')
        .limit(limit)
        .execute();
      return pageOf(rows.reverse(), 0, Number.POSITIVE_INFINITY);
    },
    async agentOutcomes(since, until, bucketMs) {
      const bucket = sql<number>`resolved_at / ${sql.lit(Math.floor(bucketMs))}`;
      const rows = await outcomeRows(database, since, until)
        .select(['tenant_id', 'actor', 'status'])
        .select(bucket.as('bucket'))
        .select((select) => select.fn.countAll<number>().as('count'))
        .groupBy(['tenant_id', 'actor', 'status', bucket])
        .execute();
      return rows.map((row): AgentOutcomeCount => ({
        tenantId: row.tenant_id,
        actor: row.actor,
        outcome: row.status as ReviewerOutcome,
        at: bucketMiddle(row.bucket, bucketMs),
        count: row.count,
      }));
    },
    async policyOutcomes(since, until, bucketMs) {
      const bucket = sql<number>`resolved_at / ${sql.lit(Math.floor(bucketMs))}`;
      const rows = await outcomeRows(database, since, until)
        .where('policy_ids', 'is not', null)
        .where('policy_ids', '<>', '[]')
        .select(['policy_ids', 'status'])
        .select(bucket.as('bucket'))
        .select((select) => select.fn.countAll<number>().as('count'))
        .groupBy(['policy_ids', 'status', bucket])
        .execute();
      return rows.map((row): PolicyOutcomeCount => ({
        policyIds: parsePolicyIds(row.policy_ids),
        outcome: row.status as ReviewerOutcome,
        at: bucketMiddle(row.bucket, bucketMs),
        count: row.count,
      }));
    },
    async baselines(agents) {
      if (agents.length === 0) return [];
      const rows = await database
        .selectFrom('agent_baselines')
        .selectAll()
        .where((where) =>
          where.or(
            agents.map((agent) =>
              where.and([where('tenant_id', '=', agent.tenantId), where('actor', '=', agent.actor)]),
            ),
          ),
        )
        .execute();
      return rows.flatMap(baselineOf);
    },
    async baselinesSince(since) {
      const rows = await database
        .selectFrom('agent_baselines')
        .selectAll()
        .where('computed_at', '>=', since)
        .execute();
      return rows.flatMap(baselineOf);
    },
    async saveBaseline(baseline, replacing) {
      const row = {
        tenant_id: baseline.tenantId,
        actor: baseline.actor,
        computed_at: baseline.computedAt,
        summary: JSON.stringify(baseline.summary),
      };
      if (replacing === 'force') {
        await database
          .insertInto('agent_baselines')
          .values(row)
          .onConflict((conflict) =>
            conflict
              .columns(['tenant_id', 'actor'])
              .doUpdateSet({ computed_at: row.computed_at, summary: row.summary }),
          )
          .execute();
      } else if (replacing === undefined) {
        await database
          .insertInto('agent_baselines')
          .values(row)
          .onConflict((conflict) => conflict.columns(['tenant_id', 'actor']).doNothing())
          .execute();
      } else {
        await database
          .updateTable('agent_baselines')
          .set({ computed_at: row.computed_at, summary: row.summary })
          .where('tenant_id', '=', row.tenant_id)
          .where('actor', '=', row.actor)
          .where('computed_at', '=', replacing)
          .execute();
      }
      const stored = await database
        .selectFrom('agent_baselines')
        .selectAll()
        .where('tenant_id', '=', row.tenant_id)
        .where('actor', '=', row.actor)
        .executeTakeFirst();
      return (stored === undefined ? undefined : baselineOf(stored)[0]) ?? baseline;
    },
  };
}

/** Resolutions by a person (an expiry is nobody's judgement) in [`since`, `until`). */
function outcomeRows(database: Kysely<Database>, since: number, until: number) {
  return database
    .selectFrom('review_items')
    .where('status', 'in', ['approved', 'denied'])
    .where('resolved_at', '>=', since)
    .where('resolved_at', '<', until)
    .where((where) =>
      where.not(
        where.and([
          where('status', '=', 'denied'),
          where('resolver_key_id', 'is', null),
          where(sql<string>`coalesce(resolved_by, '')`, '=', expiredResolver),
        ]),
      ),
    );
}

function bucketMiddle(bucket: number, bucketMs: number): number {
  return bucket * Math.floor(bucketMs) + Math.floor(bucketMs / 2);
}

type DecisionRow = Pick<
  Selectable<Database['audit_records']>,
  | 'seq'
  | 'tenant_id'
  | 'actor'
  | 'action'
  | 'decision'
  | 'confidence_score'
  | 'timestamp'
  | 'recorded_at'
  | 'trace_id'
  | 'event_id'
  | 'details'
>;

const kinds: ReadonlySet<string> = new Set(decisionKinds);

function pageOf(rows: readonly DecisionRow[], afterSeq: number, limit: number): HistoryPage {
  const decisions: HistoryDecision[] = [];
  let lastSeq = afterSeq;
  for (const row of rows) {
    lastSeq = Math.max(lastSeq, row.seq);
    const decision = decisionOf(row);
    if (decision !== undefined) decisions.push(decision);
  }
  return { decisions, lastSeq, more: rows.length >= limit };
}

/** An agent's decision, or undefined for a person's check (`subject: user`) or a row that is not whole. */
function decisionOf(row: DecisionRow): HistoryDecision | undefined {
  const { tenant_id: tenantId, actor, action, decision, trace_id: traceId } = row;
  if (tenantId === null || actor === null || action === null || traceId === null) return undefined;
  if (decision === null || !kinds.has(decision)) return undefined;
  if (subjectOf(row.details) === 'user') return undefined;
  const parsed = Date.parse(row.timestamp);
  return {
    tenantId,
    actor,
    action,
    traceId,
    eventId: row.event_id,
    decision: decision as DecisionKind,
    confidence: row.confidence_score ?? undefined,
    time: Number.isFinite(parsed) ? parsed : row.recorded_at,
  };
}

function subjectOf(details: string): unknown {
  try {
    return (JSON.parse(details) as { subject?: unknown }).subject;
  } catch {
    return undefined;
  }
}

function baselineOf(row: Selectable<AgentBaselinesTable>): StoredBaseline[] {
  let summary: unknown;
  try {
    summary = JSON.parse(row.summary);
  } catch {
    return [];
  }
  const parsed = parseSummary(summary);
  return parsed === undefined
    ? []
    : [{ tenantId: row.tenant_id, actor: row.actor, computedAt: row.computed_at, summary: parsed }];
}
