import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { eventually } from './support/shared-state.js';
import { startHttpReceiver, type HttpReceiver } from './support/notification-receivers.js';

/**
 * What a review leaves behind: a `human_review` decision announces its review on the notification
 * channels (`review.created`, with the review id the answer carries; a decision that queues nothing
 * announces nothing), and the audit log records the review's creation and its resolution, whether
 * it is resolved through the API or with `gatehouse review` on the same database.
 */

const policy = [
  '@id("agents-may-act") permit(principal, action, resource);',
  '@id("wires-need-review") @decision("human_review") permit(principal, action == Action::"wire_money", resource);',
].join('\n');

let receiver: HttpReceiver;
let gateway: TestGateway;
const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-review-events-'));

beforeAll(async () => {
  receiver = await startHttpReceiver(() => ({ status: 204 }));
  gateway = await startTestGateway({
    data_dir: dataDir,
    audit: { flush_interval_ms: 50 },
    governance: { confidence: { allow_unverified: true }, policy: { cedar: policy } },
    notifications: {
      channels: [
        {
          name: 'reviews',
          type: 'webhook',
          url: `${receiver.url}/hook`,
          secret: 'test-secret-0123456789',
          events: ['review.created'],
        },
      ],
    },
  });
});

afterAll(async () => {
  await gateway?.close();
  await receiver?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface ReviewRecord {
  readonly type: string;
  readonly actor: string | null;
  readonly decision: string | null;
  readonly details: string;
}

function reviewRecords(reviewId: string): ReviewRecord[] {
  const database = new DatabaseSync(join(dataDir, 'gatehouse.db'), { readOnly: true });
  try {
    const rows = database
      .prepare(
        "select type, actor, decision, details from audit_records where type like 'review.%' order by seq",
      )
      .all() as unknown as ReviewRecord[];
    return rows.filter((row) => (JSON.parse(row.details) as { review_id?: string }).review_id === reviewId);
  } finally {
    database.close();
  }
}

async function cli(...argv: string[]): Promise<number | undefined> {
  return runCli({
    argv,
    env: { GATEHOUSE_DATA_DIR: dataDir },
    cwd: dataDir,
    stdout: () => undefined,
    stderr: () => undefined,
    stderrStream: process.stderr,
    execPath: process.execPath,
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
  });
}

async function authorize(action: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${gateway.url}/v1/agent/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      tenant_id: 'acme',
      actor: 'pay-bot',
      action,
      resource: { id: 'w1' },
      confidence: 0.99,
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

describe('review notifications', () => {
  it('announces each new review once, with its id, and nothing for decisions that queue none', async () => {
    await authorize('read_invoice');
    const answer = await authorize('wire_money');
    expect(answer.decision).toBe('human_review');
    expect(typeof answer.review_id).toBe('string');
    await receiver.waitFor(1, 5_000);
    // Nothing else arrives: the allowed decision queued no review.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(1);
    const event = JSON.parse(receiver.requests[0]?.body ?? '{}') as Record<string, unknown>;
    expect(event).toMatchObject({
      type: 'review.created',
      data: {
        review_id: answer.review_id,
        tenant_id: 'acme',
        actor: 'pay-bot',
        action: 'wire_money',
        trace_id: answer.trace_id,
      },
    });
  });

  it('records a review queued and approved through the API in the audit log', async () => {
    const answer = await authorize('wire_money');
    const reviewId = String(answer.review_id);
    const approved = await fetch(`${gateway.url}/v1/queue/${reviewId}/approve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ resolved_by: 'ada', note: 'checked the invoice' }),
    });
    expect(approved.status).toBe(200);
    const records = await eventually(
      () => Promise.resolve(reviewRecords(reviewId)),
      (found) => found.length === 2,
      5_000,
      'the review audit records',
    );
    expect(records.map((record) => [record.type, record.actor, record.decision])).toEqual([
      ['review.created', 'pay-bot', 'pending'],
      ['review.resolved', 'ada', 'approved'],
    ]);
  });

  it('records a resolution made with gatehouse review on the same database', async () => {
    const reviewId = String((await authorize('wire_money')).review_id);
    // The gateway's writer appends in the background: wait for its record, so the order is fixed.
    await eventually(
      () => Promise.resolve(reviewRecords(reviewId)),
      (found) => found.length === 1,
      5_000,
      'the review.created record',
    );
    expect(await cli('review', 'deny', reviewId, '--by', 'grace', '-m', 'not this week')).toBe(0);
    const records = await eventually(
      () => Promise.resolve(reviewRecords(reviewId)),
      (found) => found.length === 2,
      5_000,
      'the review audit records',
    );
    expect(records.map((record) => [record.type, record.actor, record.decision])).toEqual([
      ['review.created', 'pay-bot', 'pending'],
      ['review.resolved', 'grace', 'denied'],
    ]);
  });
});
