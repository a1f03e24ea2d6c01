import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorize, auditStats, decisionCounts, exactlyOnce, verifyAudit } from './support/audit.js';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { rawRequest } from './support/http.js';
import {
  eventually,
  isolatedState,
  postgresAddress,
  postgresUrl,
  postgresUrlVia,
  writeConfigFile,
  type IsolatedState,
} from './support/shared-state.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/**
 * The audit log loses nothing when the database goes away. The gateway reaches Postgres through a
 * TCP proxy the test cuts mid-burst: decisions keep being answered, and once the proxy is back
 * every decision's record (found by the trace id each answer carried) is in the log exactly once,
 * and the chain verifies. The same across a graceful restart while the records are spooled on
 * disk: the next process (same data directory) appends them.
 */

let state: IsolatedState;
let proxy: TcpProxy;
let configPath: string;
const gateways: CliProcess[] = [];
let gateway: CliProcess & { url: string };

beforeAll(async () => {
  state = await isolatedState('audit_durability');
  proxy = await startTcpProxy(postgresAddress());
  configPath = writeConfigFile({ audit: { flush_interval_ms: 250, batch_size: 50 } });
  gateway = await startGateway();
}, 30_000);

afterAll(async () => {
  for (const started of gateways) started.kill();
  await Promise.all(gateways.map((started) => started.exited));
  await proxy?.close();
  await state?.cleanUp();
  for (const directory of new Set([...gateways.map((started) => started.cwd), dirname(configPath)])) {
    rmSync(directory, { recursive: true, force: true });
  }
});

async function startGateway(cwd?: string): Promise<CliProcess & { url: string }> {
  const started = await startCliGateway({
    env: { DATABASE_URL: postgresUrlVia(proxy.port), GATEHOUSE_DATABASE_SCHEMA: state.schema },
    args: ['--config', configPath],
    ...(cwd === undefined ? {} : { cwd }),
  });
  gateways.push(started);
  return started;
}

describe('audit records survive a database outage', () => {
  it('decisions keep being answered while the database is cut mid-burst, and every record is appended once after', async () => {
    const sent: { traceId: string | undefined; status: number; phase: string }[] = [];
    let phase = 'before';
    let running = true;
    const worker = async () => {
      while (running) {
        const at = phase;
        const answer = await authorize(gateway.url).catch(() => ({ status: 0, traceId: undefined }));
        sent.push({ ...answer, phase: at });
        if (answer.status === 0) running = false;
        await sleep(5);
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    await sleep(1_000);
    await proxy.cut();
    phase = 'cut';
    await eventually(
      () => auditStats(gateway.url),
      (stats) => !stats.databaseAvailable && stats.spooledFiles > 0,
      5_000,
      'the audit writer to notice the outage and spill to disk',
    );
    const scraped = await rawRequest(`${gateway.url}/metrics`, {
      method: 'GET',
      headers: { authorization: `Bearer ${testMasterKey}` },
    });
    expect(scraped.text).toMatch(/^gatehouse_audit_database_available 0$/m);
    expect(scraped.text).toMatch(/^gatehouse_audit_spool_files [1-9]\d*$/m);
    await sleep(2_000);
    await proxy.restore();
    phase = 'after';
    await sleep(1_000);
    running = false;
    await Promise.all(workers);

    const during = sent.filter((request) => request.phase === 'cut').length;
    expect(during).toBeGreaterThan(50);
    expect(sent.filter((request) => request.status !== 200 || request.traceId === undefined)).toEqual([]);
    const traceIds = sent.map((request) => request.traceId!);
    const counts = await eventually(
      () => decisionCounts(state.db, traceIds),
      (found) => found.size >= traceIds.length,
      20_000,
      'every decision in the audit log after the database returned',
      100,
    );
    console.info(
      `audit, database cut: ${sent.length} decisions (${during} during the cut), all 200; all ${counts.size} in the log`,
    );
    expect(exactlyOnce(counts, traceIds)).toEqual({ missing: 0, duplicated: [] });
    const verified = await verifyAudit(postgresUrl, state.schema);
    expect(verified).toMatchObject({ code: 0, stderr: '' });
    expect(verified.stdout).toMatch(/^audit log intact: records 1–\d+/);
  }, 60_000);

  it('a connection lost after an audit batch committed, before the gateway heard so, does not append it twice', async () => {
    // Postgres commits the batch, the answer never reaches the gateway, the connection is gone: the
    // writer cannot tell this from a failed append and appends the batch again. The log recognises
    // the event ids and skips them, so the chain holds each decision once.
    const cutDone = proxy.cutAfterRequest(
      (chunk, sentBefore) =>
        chunk.includes('commit\u0000') && sentBefore.includes('insert into "audit_records"'),
      300,
    );
    const traceIds: string[] = [];
    for (let index = 0; index < 5; index += 1) traceIds.push((await authorize(gateway.url)).traceId!);
    await Promise.race([
      cutDone,
      sleep(10_000).then(() => {
        throw new Error('no audit batch was committed through the proxy within 10 s');
      }),
    ]);
    expect((await decisionCounts(state.db, traceIds)).size).toBeGreaterThan(0);
    await sleep(1_000);
    await proxy.restore();
    await eventually(
      () => auditStats(gateway.url),
      (stats) => stats.databaseAvailable && stats.buffered === 0 && stats.spooledFiles === 0,
      20_000,
      'the audit writer to append what it held',
    );
    expect(exactlyOnce(await decisionCounts(state.db, traceIds), traceIds)).toEqual({
      missing: 0,
      duplicated: [],
    });
    expect((await verifyAudit(postgresUrl, state.schema)).code).toBe(0);
  }, 45_000);

  it('records spooled at a graceful shutdown while the database is cut are appended by the next process', async () => {
    await proxy.cut();
    const traceIds: string[] = [];
    for (let index = 0; index < 40; index += 1) {
      const answer = await authorize(gateway.url, { action: `restart_${index}` });
      expect(answer.status).toBe(200);
      traceIds.push(answer.traceId!);
    }
    gateway.child.kill('SIGTERM');
    expect((await gateway.exited).code).toBe(0);
    const spool = join(gateway.cwd, '.gatehouse', 'audit-spool');
    expect(existsSync(spool)).toBe(true);
    const spooled = readdirSync(spool).filter((name) => name.startsWith('audit-'));
    expect(spooled.length).toBeGreaterThan(0);
    // Kept apart from the usage spool.
    expect(
      readdirSync(join(gateway.cwd, '.gatehouse', 'usage-spool')).filter((name) => name.startsWith('audit-')),
    ).toEqual([]);
    expect((await decisionCounts(state.db, traceIds)).size).toBe(0);

    await proxy.restore();
    const successor = await startGateway(gateway.cwd);
    const counts = await eventually(
      () => decisionCounts(state.db, traceIds),
      (found) => found.size >= traceIds.length,
      15_000,
      'the spooled audit records to be appended',
      100,
    );
    expect(exactlyOnce(counts, traceIds)).toEqual({ missing: 0, duplicated: [] });
    await eventually(
      () => Promise.resolve(readdirSync(spool)),
      (left) => left.length === 0,
      5_000,
      'the audit spool to be emptied',
    );
    expect((await authorize(successor.url)).status).toBe(200);
    expect((await verifyAudit(postgresUrl, state.schema)).code).toBe(0);
  }, 60_000);

  it('with audit.durability: disk, a SIGKILL right after the last answer during an outage loses nothing', async () => {
    await proxy.restore();
    const journaled = writeConfigFile({ audit: { flush_interval_ms: 250, durability: 'disk' } });
    const crashing = await startCliGateway({
      env: { DATABASE_URL: postgresUrlVia(proxy.port), GATEHOUSE_DATABASE_SCHEMA: state.schema },
      args: ['--config', journaled],
    });
    gateways.push(crashing);
    await proxy.cut();
    const traceIds: string[] = [];
    for (let index = 0; index < 30; index += 1) {
      const answer = await authorize(crashing.url, { action: `crash_${index}` });
      expect(answer.status).toBe(200);
      traceIds.push(answer.traceId!);
    }
    // No flush interval, no spill waited for: each record was journaled before its answer was sent.
    crashing.child.kill('SIGKILL');
    expect((await crashing.exited).signal).toBe('SIGKILL');
    await proxy.restore();
    gateways.push(
      await startCliGateway({
        env: { DATABASE_URL: postgresUrlVia(proxy.port), GATEHOUSE_DATABASE_SCHEMA: state.schema },
        args: ['--config', journaled],
        cwd: crashing.cwd,
      }),
    );
    const counts = await eventually(
      () => decisionCounts(state.db, traceIds),
      (found) => found.size >= traceIds.length,
      15_000,
      'every record of the crashed process',
      100,
    );
    expect(exactlyOnce(counts, traceIds)).toEqual({ missing: 0, duplicated: [] });
    expect((await verifyAudit(postgresUrl, state.schema)).code).toBe(0);
    rmSync(dirname(journaled), { recursive: true, force: true });
  }, 60_000);
});
