import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * `gatehouse review …` in process against a running gateway's embedded database (the replica tests
 * cover Postgres, Redis and the wake across processes): list, show, approve, deny, their exit
 * codes, and a waiter on the gateway that the command's resolution reaches.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-review-cli-'));
let gateway: TestGateway;

async function cli(...args: string[]): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: args,
    env: { GATEHOUSE_DATA_DIR: dataDir, USER: 'dana' },
    cwd: dataDir,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stderrStream: process.stderr,
    execPath: process.execPath,
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
  });
  return { code, stdout, stderr };
}

async function authorize(actor: string): Promise<{ id: string; traceId: string }> {
  const response = await fetch(`${gateway.url}/v1/agent/authorize`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ tenant_id: 'acme', actor, action: 'approve_refund', confidence: 0.8 }),
  });
  const body = (await response.json()) as { review_id: string; trace_id: string };
  return { id: body.review_id, traceId: body.trace_id };
}

beforeAll(async () => {
  gateway = await startTestGateway({
    data_dir: dataDir,
    governance: { confidence: { allow_unverified: true } },
  });
});
afterAll(() => gateway?.close());

describe('gatehouse review', () => {
  it('lists nothing, then the pending reviews oldest first, filtered', async () => {
    expect(await cli('review', 'list')).toMatchObject({ code: 0, stdout: 'no pending reviews\n' });
    const first = await authorize('refund-bot');
    const second = await authorize('other-bot');
    const listed = await cli('review', 'list');
    expect(
      listed.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[0]),
    ).toEqual([first.id, second.id]);
    const filtered = await cli('review', 'list', '--actor', 'other-bot', '--json');
    expect(JSON.parse(filtered.stdout)).toMatchObject({
      count: 1,
      items: [{ id: second.id, actor: 'other-bot' }],
    });
    expect((await cli('review', 'list', '--limit', '0')).code).toBe(2);
  });

  it('shows a review by its id or its trace id', async () => {
    const { id, traceId } = await authorize('refund-bot');
    const shown = await cli('review', 'show', traceId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(new RegExp(`^id: +${id}$`, 'm'));
    expect(shown.stdout).toMatch(/^status: +pending$/m);
    expect(JSON.parse((await cli('review', 'show', id, '--json')).stdout)).toMatchObject({
      id,
      trace_id: traceId,
    });
    const unknown = await cli('review', 'show', 'rev_nope');
    expect(unknown).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/no review "rev_nope"/) as string,
    });
  });

  it('approves once, names who did, and reaches a waiter on the running gateway', async () => {
    const { id } = await authorize('refund-bot');
    const waiting = fetch(`${gateway.url}/v1/queue/${id}/wait?timeout_ms=20000`, {
      headers: { authorization: `Bearer ${gateway.masterKey}` },
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const approved = await cli('review', 'approve', id, '-m', 'checked');
    expect(approved).toMatchObject({ code: 0, stdout: `approved ${id}\n` });
    // One replica on the embedded database has no channel another process can reach: its waiter
    // finds the resolution by its backstop re-read, within seconds.
    const waited = await waiting;
    expect(waited.status).toBe(200);
    expect(await waited.json()).toMatchObject({
      status: 'approved',
      resolved_by: 'dana',
      resolution_note: 'checked',
      resolver_key_id: 'cli',
    });
    const again = await cli('review', 'deny', id);
    expect(again).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/already approved by dana/) as string,
    });
  });

  it('denies, naming the reviewer given with --by', async () => {
    const { id } = await authorize('refund-bot');
    expect((await cli('review', 'deny', id, '--by', 'erin')).code).toBe(0);
    expect(JSON.parse((await cli('review', 'show', id, '--json')).stdout)).toMatchObject({
      status: 'denied',
      resolved_by: 'erin',
    });
    expect((await cli('review', 'approve', 'rev_nope')).code).toBe(2);
  });

  it('creates keys with the reviewer role', async () => {
    const created = await cli('keys', 'create', '--name', 'rita', '--role', 'reviewer', '--json');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ role: 'reviewer' });
  });

  it('documents itself with --help', async () => {
    const help = await cli('review', '--help');
    expect(help.code).toBe(0);
    for (const command of ['list', 'show', 'approve', 'deny']) expect(help.stdout).toContain(command);
  });
});
