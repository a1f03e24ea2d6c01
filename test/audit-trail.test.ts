import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { rawRequest } from './support/http.js';

/**
 * The audit trail with the embedded defaults (SQLite, no configuration beyond a data directory):
 * what each kind of event records, and that the chain can be checked from the rows alone with an
 * independent RFC 8785 + SHA-256 script, as docs/governance.md ("Audit") tells people to.
 */

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-trail-'));
let gateway: TestGateway;
let closed = false;

beforeAll(async () => {
  gateway = await startTestGateway({
    data_dir: dataDir,
    governance: { confidence: { allow_unverified: true } },
    audit: { flush_interval_ms: 50 },
  });
});
afterAll(async () => {
  if (!closed) await gateway.close();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await rawRequest(`${gateway.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${gateway.masterKey}`,
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: JSON.parse(response.text) as Record<string, unknown> };
}

/** RFC 8785 for JSON.parse values, independently of the gateway's code. */
function jcs(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const members = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([name, member]) => `${JSON.stringify(name)}:${jcs(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

async function cli(...argv: string[]): Promise<{ code: number | undefined; stdout: string }> {
  let stdout = '';
  const code = await runCli({
    argv,
    env: { GATEHOUSE_DATA_DIR: dataDir },
    cwd: dataDir,
    stdout: (text) => (stdout += text),
    stderr: () => undefined,
    stderrStream: process.stderr,
    execPath: process.execPath,
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
  });
  return { code, stdout };
}

type Row = Record<string, unknown> & { seq: number; hash: string; prev_hash: string };

function rows(): Row[] {
  const database = new DatabaseSync(join(dataDir, 'gatehouse.db'), { readOnly: true });
  try {
    return database.prepare('select * from audit_records order by seq').all() as Row[];
  } finally {
    database.close();
  }
}

describe('the audit trail on the embedded database', () => {
  it('records decisions, people’s checks, key and policy changes, chained so a script can check them', async () => {
    const agent = await call('POST', '/v1/agent/authorize', {
      tenant_id: 'acme',
      actor: 'invoice-bot',
      action: 'send_invoice',
      resource: { invoice: 'inv-7' },
      confidence: 0.93,
    });
    expect(agent.status).toBe(200);
    const person = await call('POST', '/v1/authorize', {
      tenant_id: 'acme',
      user_id: 'ada',
      action: 'read',
      resource: { doc: 'd1' },
    });
    expect(person.status).toBe(200);
    const created = await call('POST', '/admin/keys', { name: 'audited-key' });
    const keyId = String(created.body.id);
    expect((await call('PATCH', `/admin/keys/${keyId}`, { team: 'billing' })).status).toBe(200);
    expect((await call('DELETE', `/admin/keys/${keyId}`)).status).toBe(200);
    const put = await call(
      'PUT',
      '/v1/policy?comment=tighten',
      'permit(principal, action, resource);\n',
      'text/plain',
    );
    expect(put.status).toBe(200);
    await gateway.close();
    closed = true;

    const records = rows();
    expect(records.map((row) => `${String(row.type)} ${String(row.action)}`)).toEqual([
      'policy.changed policy.initial',
      'decision send_invoice',
      'decision read',
      'key.created key.created',
      'key.updated key.updated',
      'key.revoked key.revoked',
      'policy.changed policy.put',
    ]);
    expect(records[1]).toMatchObject({
      tenant_id: 'acme',
      trace_id: agent.body.trace_id,
      actor: 'invoice-bot',
      resource: '{"invoice":"inv-7"}',
      confidence_score: 0.93,
      decision: agent.body.decision,
      reason: agent.body.reason,
      input_hash: agent.body.input_hash,
      output_hash: agent.body.output_hash,
      policy_digest: agent.body.policy_digest,
    });
    expect(JSON.parse(String(records[1]!.details))).toMatchObject({ subject: 'agent', policy_version: 1 });
    expect(records[2]).toMatchObject({
      trace_id: person.body.trace_id,
      actor: 'ada',
      confidence_score: null,
    });
    expect(records[4]).toMatchObject({
      actor: 'master',
      resource: JSON.stringify({ key_id: keyId, name: 'audited-key' }),
    });
    expect(JSON.parse(String(records[4]!.details))).toMatchObject({ changed: ['team'], team: 'billing' });
    expect(records[6]).toMatchObject({ actor: 'master', reason: 'tighten', policy_digest: put.body.digest });
    // Nothing secret: the key's secret and hash are nowhere in the log.
    expect(JSON.stringify(records)).not.toContain(String(created.body.key));

    // The chain, checked the way docs/governance.md describes, from the rows alone.
    let previous = '0'.repeat(64);
    for (const [index, row] of records.entries()) {
      expect(row.seq).toBe(index + 1);
      expect(row.prev_hash).toBe(previous);
      const { hash, ...body } = row;
      const hashed = {
        ...body,
        resource: body.resource === null ? null : (JSON.parse(body.resource as string) as unknown),
        details: JSON.parse(body.details as string) as unknown,
      };
      expect(createHash('sha256').update(jcs(hashed), 'utf8').digest('hex')).toBe(hash);
      previous = hash;
    }

    // The command line's key changes go to the same chain, as the `cli`'s.
    expect((await cli('keys', 'create', '--name', 'from-the-shell')).code).toBe(0);
    expect(rows().at(-1)).toMatchObject({ seq: 8, type: 'key.created', actor: 'cli', prev_hash: previous });

    const verified = await cli('audit', 'verify');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain('records 1–8 (8 checked)');
  });
});
