import type pg from 'pg';
import { runCli, testMasterKey } from './cli.js';
import { rawRequest } from './http.js';

/** Helpers for the audit log's end-to-end tests. */

/** One `POST /v1/agent/authorize` with the master key; resolves with its status and trace id. */
export async function authorize(
  url: string,
  body: Record<string, unknown> = {},
): Promise<{ status: number; traceId: string | undefined }> {
  const response = await rawRequest(`${url}/v1/agent/authorize`, {
    headers: { authorization: `Bearer ${testMasterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant_id: 'acme',
      actor: 'invoice-bot',
      action: 'send_invoice',
      resource: { invoice: 'inv-1' },
      confidence: 0.95,
      ...body,
    }),
  });
  const answer = response.status === 200 ? (JSON.parse(response.text) as { trace_id?: string }) : {};
  return { status: response.status, traceId: answer.trace_id };
}

/** The audit writer's state, from `GET /admin/providers`. */
export async function auditStats(
  url: string,
): Promise<{ buffered: number; databaseAvailable: boolean; spooledFiles: number; written: number }> {
  const response = await rawRequest(`${url}/admin/providers`, {
    method: 'GET',
    headers: { authorization: `Bearer ${testMasterKey}` },
  });
  return (
    JSON.parse(response.text) as {
      audit: { buffered: number; databaseAvailable: boolean; spooledFiles: number; written: number };
    }
  ).audit;
}

/** How many decision records each of these trace ids has in the audit log. */
export async function decisionCounts(db: pg.Pool, traceIds: readonly string[]): Promise<Map<string, number>> {
  const result = await db.query<{ trace_id: string; count: string }>(
    `select trace_id, count(*) as count from audit_records
      where type = 'decision' and trace_id = any($1) group by trace_id`,
    [traceIds],
  );
  return new Map(result.rows.map((row) => [row.trace_id, Number(row.count)]));
}

/** Every trace id once, none twice, nothing else. */
export function exactlyOnce(counts: Map<string, number>, traceIds: readonly string[]) {
  return {
    missing: traceIds.filter((id) => !counts.has(id)).length,
    duplicated: [...counts].filter(([, count]) => count !== 1),
  };
}

/** `gatehouse audit verify` as a child process against a Postgres schema. */
export function verifyAudit(databaseUrl: string, schema: string, ...args: string[]) {
  return runCli(['audit', 'verify', ...args], {
    env: { DATABASE_URL: databaseUrl, GATEHOUSE_DATABASE_SCHEMA: schema },
  });
}
