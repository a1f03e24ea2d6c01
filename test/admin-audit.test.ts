import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../src/governance/audit/index.js';
import { entry } from '../src/governance/audit/test-entries.js';
import { createSqlStores, type SqlStores } from '../src/stores/sql/index.js';
import { testDatabases } from '../src/stores/sql/test-databases.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createKey, eventually } from './support/shared-state.js';

/**
 * `GET /admin/audit` on the real gateway, on SQLite and on Postgres: who may read the log, every
 * filter, paging by cursor in both orders until the log is exhausted, and bad queries refused in
 * the admin API's error shape.
 */

const databases = testDatabases(process.env);
afterAll(async () => {
  for (const database of databases) await database.cleanUp();
});

interface Page {
  readonly object: string;
  readonly data: Record<string, unknown>[];
  readonly has_more: boolean;
  readonly next_cursor: string | null;
}

function entries(from: number, count: number, overrides: Partial<AuditEntry> = {}): AuditEntry[] {
  return Array.from({ length: count }, (_, index) => ({
    ...entry(from + index),
    eventId: `seeded-${from + index}`,
    ...overrides,
  }));
}

for (const testDatabase of databases) {
  describe(`GET /admin/audit on ${testDatabase.dialect}`, () => {
    let gateway: TestGateway;
    let stores: SqlStores;
    const keys: Record<string, string> = {};
    let reviewerAnswer: { status: number; body: { key?: string } } = { status: 0, body: {} };
    let seqs: number[] = [];
    /** Records the gateway wrote itself before the seeded ones (the initial policy, the three keys). */
    let base = 0;
    const at = (offsets: number[]) => offsets.map((offset) => base + offset);

    const get = async (query: string, key = gateway.masterKey) => {
      const response = await fetch(`${gateway.url}/admin/audit${query}`, {
        headers: { authorization: `Bearer ${key}` },
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const page = async (query: string): Promise<Page> => {
      const answer = await get(query);
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return answer.body as unknown as Page;
    };

    beforeAll(async () => {
      const options = await testDatabase.isolated();
      gateway = await startTestGateway({
        data_dir: options.dataDir,
        ...(options.databaseUrl === undefined ? {} : { database_url: options.databaseUrl }),
        ...(options.schema === undefined ? {} : { database_schema: options.schema }),
        audit: { checkpoints: { enabled: false } },
      });
      for (const [name, body] of Object.entries({
        user: { name: 'user-key' },
        agent: { name: 'agent-key', agent_id: 'invoice-bot' },
        admin: { name: 'admin-key', role: 'admin' },
      })) {
        keys[name] = (await createKey(gateway.url, gateway.masterKey, body)).secret;
      }
      // The review queue's role, where this build has it (it may read the queue, not the log).
      const reviewer = await fetch(`${gateway.url}/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${gateway.masterKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'reviewer-key', role: 'reviewer' }),
      });
      reviewerAnswer = { status: reviewer.status, body: (await reviewer.json()) as { key?: string } };
      if (reviewer.status === 201) keys.reviewer = reviewerAnswer.body.key ?? '';
      stores = await createSqlStores(options);
      // The gateway's own records (the keys created above) come first; wait for them.
      const own = await eventually(
        () => stores.audit.read({ limit: 100 }),
        (records) =>
          records.filter((record) => record.type === 'key.created').length === Object.keys(keys).length,
        5_000,
        'the key records',
      );
      base = own.length;
      await stores.audit.append(entries(1, 20));
      await stores.audit.append(
        entries(21, 6, { tenantId: 'globex', actor: 'payments-bot', action: 'wire_transfer' }),
      );
      await stores.audit.append(entries(27, 2, { type: 'policy.changed', tenantId: null, traceId: null }));
      seqs = (await stores.audit.read({ limit: 1_000 })).map((record) => record.seq);
      expect(seqs).toHaveLength(base + 28);
    });

    afterAll(async () => {
      await stores.close();
      await gateway.close();
    });

    it('answers the master key and admin keys only, in the admin error shape', async () => {
      expect((await get('')).status).toBe(200);
      expect((await get('', keys.admin)).status).toBe(200);
      // A reviewer resolves reviews; the audit log is not theirs to read.
      expect(reviewerAnswer.status).toBe(201);
      for (const key of [keys.user!, keys.agent!, keys.reviewer!]) {
        const refused = await get('', key);
        expect(refused.status).toBe(403);
        expect(refused.body).toMatchObject({
          error: { code: 'permission_denied', type: 'permission_error' },
        });
        expect(JSON.stringify(refused.body)).not.toContain('invoice-bot');
      }
      const noKey = await fetch(`${gateway.url}/admin/audit`);
      expect(noKey.status).toBe(401);
      expect((await get('', 'gh-not-a-key-0123456789abcdef')).status).toBe(401);
    });

    it('shows records as their NDJSON lines, newest first by default', async () => {
      const { object, data, has_more, next_cursor } = await page('?limit=2');
      expect(object).toBe('list');
      expect(data.map((record) => record.seq)).toEqual(at([28, 27]));
      expect(has_more).toBe(true);
      expect(next_cursor).toBe(String(base + 27));
      const [first] = (await page(`?order=asc&limit=1&from_seq=${base + 1}`)).data;
      expect(first).toMatchObject({
        seq: base + 1,
        event_id: 'seeded-1',
        type: 'decision',
        tenant_id: 'acme',
        actor: 'invoice-bot',
        resource: { invoice: 'inv-1' },
        decision: 'allow',
      });
      expect(first?.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(first?.prev_hash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('filters by tenant, actor, action, type, trace id, sequence and time', async () => {
      const seqsOf = async (query: string) =>
        (await page(`?order=asc&${query}`)).data.map((record) => record.seq);
      expect(await seqsOf('tenant_id=globex')).toEqual(at([21, 22, 23, 24, 25, 26]));
      expect(await seqsOf('actor=payments-bot&action=wire_transfer')).toEqual(at([21, 22, 23, 24, 25, 26]));
      expect(await seqsOf('tenant_id=acme&actor=payments-bot')).toEqual([]);
      expect((await seqsOf('type=policy.changed')).slice(-2)).toEqual(at([27, 28]));
      expect(await seqsOf('type=key.created')).toHaveLength(Object.keys(keys).length);
      expect(await seqsOf('trace_id=trace-7')).toEqual(at([7]));
      expect(await seqsOf(`from_seq=${base + 5}&to_seq=${base + 8}`)).toEqual(at([5, 6, 7, 8]));
      const [record] = (await page(`?order=asc&from_seq=${base + 21}&limit=1`)).data;
      const time = Number(record?.recorded_at);
      expect((await seqsOf(`from=${time}&to=${time + 1}`)).length).toBeGreaterThanOrEqual(6);
      expect(await seqsOf(`from=${time + 3_600_000}`)).toEqual([]);
    });

    it('pages through the whole log by cursor in either order', async () => {
      for (const order of ['desc', 'asc'] as const) {
        const seen: unknown[] = [];
        let query = `?order=${order}&limit=7`;
        for (let pages = 0; pages < 10; pages += 1) {
          const current = await page(query);
          seen.push(...current.data.map((record) => record.seq));
          if (current.next_cursor === null) {
            expect(current.has_more).toBe(false);
            break;
          }
          query = `?order=${order}&limit=7&cursor=${current.next_cursor}`;
        }
        expect(seen).toEqual(order === 'asc' ? seqs : [...seqs].reverse());
      }
      const filtered = await page('?tenant_id=globex&limit=4');
      const rest = await page(`?tenant_id=globex&limit=4&cursor=${filtered.next_cursor}`);
      expect([...filtered.data, ...rest.data].map((record) => record.seq)).toEqual(
        at([26, 25, 24, 23, 22, 21]),
      );
      expect(rest.next_cursor).toBeNull();
    });

    it('refuses bad queries with a 400 naming the parameter', async () => {
      for (const [query, param] of [
        ['?limit=0', 'limit'],
        ['?limit=1001', 'limit'],
        ['?limit=ten', 'limit'],
        ['?limit=1&limit=2', 'limit'],
        ['?type=decisions', 'type'],
        ['?cursor=-4', 'cursor'],
        ['?cursor=9999999999999999999', 'cursor'],
        ['?from_seq=0', 'from_seq'],
        ['?from=yesterday', 'from'],
        ['?from=2026-02-01&to=2026-01-01', 'from'],
        ['?order=sideways', 'order'],
        [`?actor=${'x'.repeat(300)}`, 'actor'],
        ['?tenant=acme', 'tenant'],
      ] as const) {
        const answer = await get(query);
        expect(answer.status, query).toBe(400);
        expect(answer.body, query).toMatchObject({ error: { type: 'invalid_request_error', param } });
      }
    });
  });
}
