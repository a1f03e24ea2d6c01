import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCliGateway, testMasterKey, type CliProcess } from './support/cli.js';
import { rawRequest } from './support/http.js';
import {
  chat,
  createKey,
  eventually,
  generousLimits,
  isolatedState,
  postgresAddress,
  postgresUrlVia,
  writeConfigFile,
  type CreatedKey,
  type IsolatedState,
} from './support/shared-state.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/**
 * Usage records survive the database going away. The gateway reaches Postgres through a TCP proxy
 * the test cuts (every connection destroyed, new ones refused): requests keep being answered, and
 * once the proxy is back every record — one per request, found by the request id the test sent —
 * is in the database exactly once. The same across a graceful restart while the database is down:
 * the records go to the spool on disk and the next process (same data directory) replays them.
 */

let state: IsolatedState;
let proxy: TcpProxy;
let configPath: string;
const gateways: CliProcess[] = [];
/** The first gateway, and a key it has cached. */
let gateway: CliProcess & { url: string };
let key: CreatedKey;

beforeAll(async () => {
  state = await isolatedState('durability');
  proxy = await startTcpProxy(postgresAddress());
  configPath = writeConfigFile({ usage: { flush_interval_ms: 250 } });
  gateway = await startGateway();
  key = await createKey(gateway.url, testMasterKey, { name: 'durable', limits: generousLimits });
  // The key is cached from here on: it keeps working while the database is away.
  expect((await chat(gateway.url, { key: key.secret, requestId: 'warm-up' })).status).toBe(200);
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

async function startGateway(cwd?: string, config = configPath): Promise<CliProcess & { url: string }> {
  const gateway = await startCliGateway({
    env: { DATABASE_URL: postgresUrlVia(proxy.port), GATEHOUSE_DATABASE_SCHEMA: state.schema },
    args: ['--config', config],
    ...(cwd === undefined ? {} : { cwd }),
  });
  gateways.push(gateway);
  return gateway;
}

/** How many usage records each request id (with the given prefix) has in the database. */
async function recordCounts(prefix: string): Promise<Map<string, number>> {
  const result = await state.db.query<{ request_id: string; count: string }>(
    'select request_id, count(*) as count from usage_records where request_id like $1 group by request_id',
    [`${prefix}%`],
  );
  return new Map(result.rows.map((row) => [row.request_id, Number(row.count)]));
}

function expectExactlyOnce(counts: Map<string, number>, requestIds: readonly string[]): void {
  const missing = requestIds.filter((id) => !counts.has(id));
  const duplicated = [...counts].filter(([, count]) => count !== 1);
  expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
  expect(counts.size).toBe(requestIds.length);
}

async function readiness(url: string): Promise<{ status: number; checks: Record<string, string> }> {
  const response = await rawRequest(`${url}/health/ready`, { method: 'GET' });
  return {
    status: response.status,
    checks: (JSON.parse(response.text) as { checks: Record<string, string> }).checks,
  };
}

async function usageStats(
  url: string,
): Promise<{ buffered: number; databaseAvailable: boolean; spooledFiles: number }> {
  const response = await rawRequest(`${url}/admin/providers`, {
    method: 'GET',
    headers: { authorization: `Bearer ${testMasterKey}` },
  });
  return (
    JSON.parse(response.text) as {
      usage: { buffered: number; databaseAvailable: boolean; spooledFiles: number };
    }
  ).usage;
}

describe('usage records survive a database outage', () => {
  it('requests keep succeeding while the database is cut, and every record arrives exactly once after', async () => {
    const sent: { id: string; status: number; phase: string }[] = [];
    let phase = 'before';
    let running = true;
    let next = 0;
    const worker = async () => {
      while (running) {
        const id = `cut-${next++}`;
        const at = phase;
        // A connection error (the gateway gone) is recorded as status 0 and fails the test below.
        const status = await chat(gateway.url, { key: key.secret, requestId: id }).then(
          (response) => response.status,
          () => 0,
        );
        sent.push({ id, status, phase: at });
        if (status === 0) running = false;
        await sleep(10);
      }
    };
    const workers = Array.from({ length: 4 }, worker);

    await sleep(1_000);
    await proxy.cut();
    phase = 'cut';
    const outage = await eventually(
      () => usageStats(gateway.url),
      (stats) => !stats.databaseAvailable && stats.buffered > 0,
      5_000,
      'the usage writer to notice the outage and buffer records',
    );
    // Readiness reports the outage but keeps the replica in rotation: it serves on (decision 0005).
    const ready = await readiness(gateway.url);
    expect(ready.status).toBe(200);
    expect(ready.checks.database).toMatch(/^unreachable/);
    await sleep(3_000);
    await proxy.restore();
    const restoredAt = performance.now();
    phase = 'after';
    await sleep(1_000);
    running = false;
    await Promise.all(workers);

    const byPhase = (name: string) => sent.filter((request) => request.phase === name).length;
    expect(byPhase('cut')).toBeGreaterThan(20);
    expect(sent.filter((request) => request.status !== 200)).toEqual([]);
    expect(gateway.child.exitCode).toBeNull();

    const ids = sent.map((request) => request.id);
    const counts = await eventually(
      () => recordCounts('cut-'),
      (found) => found.size >= ids.length,
      20_000,
      'every usage record after the database returned',
      50,
    );
    const recoveredMs = performance.now() - restoredAt;
    console.info(
      `database cut: ${sent.length} requests (${byPhase('before')} before, ${byPhase('cut')} during, ${byPhase('after')} after), all 200; ${outage.buffered} records buffered at the outage's start; all ${counts.size} records in the database ${recoveredMs.toFixed(0)} ms after the restore`,
    );
    expectExactlyOnce(counts, ids);
    expect((await readiness(gateway.url)).checks.database).toBe('ok');
  }, 45_000);

  it('a connection lost after a usage batch committed, before the gateway heard so, does not write it twice', async () => {
    // The worst moment for a cut: Postgres has the batch's COMMIT (and commits), the answer never
    // reaches the gateway, then the connection is gone. The writer cannot tell this from a failed
    // insert; writing the batch again must not leave two records per request.
    const cutDone = proxy.cutAfterRequest(
      // The statement text `commit`, NUL-terminated as the wire protocol sends it.
      (chunk, sentBefore) =>
        chunk.includes('commit\u0000') && sentBefore.includes('insert into "usage_records"'),
      300,
    );
    const ids = Array.from({ length: 5 }, (_, index) => `ack-lost-${index}`);
    for (const id of ids)
      expect((await chat(gateway.url, { key: key.secret, requestId: id })).status).toBe(200);
    await Promise.race([
      cutDone,
      sleep(10_000).then(() => {
        throw new Error('no usage batch was committed through the proxy within 10 s');
      }),
    ]);
    // The batch is in the database although the gateway never heard so.
    const committed = await recordCounts('ack-lost-');
    expect(committed.size).toBeGreaterThan(0);

    await sleep(1_000);
    await proxy.restore();
    await eventually(
      () => usageStats(gateway.url),
      (stats) => stats.databaseAvailable && stats.buffered === 0,
      20_000,
      'the usage writer to write what it held',
    );
    const counts = await recordCounts('ack-lost-');
    console.info(
      `cut after COMMIT: ${committed.size} record(s) committed before the cut; afterwards ${JSON.stringify(Object.fromEntries(counts))}`,
    );
    expectExactlyOnce(counts, ids);
  }, 45_000);

  it('records spooled at a graceful shutdown while the database is cut are written by the next process', async () => {
    await proxy.cut();
    const ids = Array.from({ length: 40 }, (_, index) => `restart-${index}`);
    for (const id of ids) {
      expect((await chat(gateway.url, { key: key.secret, requestId: id })).status).toBe(200);
    }
    gateway.child.kill('SIGTERM');
    const exit = await gateway.exited;
    expect(exit.code).toBe(0);
    const spool = join(gateway.cwd, '.gatehouse', 'usage-spool');
    expect(existsSync(spool)).toBe(true);
    const spooled = readdirSync(spool);
    expect(spooled.length).toBeGreaterThan(0);
    expect((await recordCounts('restart-')).size).toBe(0);

    await proxy.restore();
    const successor = await startGateway(gateway.cwd);
    const counts = await eventually(
      () => recordCounts('restart-'),
      (found) => found.size >= ids.length,
      15_000,
      'the spooled records to be replayed',
      50,
    );
    console.info(
      `graceful restart: ${ids.length} records spooled in ${spooled.length} file(s), all replayed by the next process`,
    );
    expectExactlyOnce(counts, ids);
    await eventually(
      () => Promise.resolve(readdirSync(spool).filter((name) => !name.startsWith('.'))),
      (left) => left.length === 0,
      5_000,
      'the spool to be emptied',
    );
    // The successor serves as usual.
    expect((await chat(successor.url, { key: key.secret })).status).toBe(200);
  }, 45_000);
});

describe('usage records survive a crash during a database outage', () => {
  /**
   * SIGKILL: no shutdown hook runs, so only what is already on disk survives. The successor (same
   * data directory) starts with the database reachable and must write every record the crashed
   * process answered for, exactly once.
   */
  async function crashDuringOutage(
    label: string,
    usage: Record<string, unknown>,
    beforeKill: (crashing: CliProcess & { url: string }) => Promise<unknown>,
  ): Promise<void> {
    await proxy.restore();
    const config = writeConfigFile({ usage: { flush_interval_ms: 250, ...usage } });
    const crashing = await startGateway(undefined, config);
    const crashKey = await createKey(crashing.url, testMasterKey, { name: label, limits: generousLimits });
    expect((await chat(crashing.url, { key: crashKey.secret, requestId: `${label}-warm` })).status).toBe(200);
    await proxy.cut();
    const ids = Array.from({ length: 30 }, (_, index) => `${label}-${index}`);
    for (const id of ids) {
      expect((await chat(crashing.url, { key: crashKey.secret, requestId: id })).status).toBe(200);
    }
    await beforeKill(crashing);
    crashing.child.kill('SIGKILL');
    expect((await crashing.exited).signal).toBe('SIGKILL');
    expect((await recordCounts(`${label}-`)).size).toBe(0);

    await proxy.restore();
    const successor = await startGateway(crashing.cwd, config);
    const counts = await eventually(
      () => recordCounts(`${label}-`),
      (found) => found.size >= ids.length + 1,
      15_000,
      'every record of the crashed process',
      50,
    );
    expectExactlyOnce(counts, [`${label}-warm`, ...ids]);
    expect((await chat(successor.url, { key: crashKey.secret })).status).toBe(200);
  }

  it('by default, records go to disk as soon as the database is found unreachable, not after a large memory buffer', async () => {
    await crashDuringOutage('spill-at-once', {}, (crashing) =>
      // The promise of the default mode: once the writer has seen the outage (one flush interval
      // and a failed insert), nothing waits in memory.
      eventually(
        () => usageStats(crashing.url),
        (stats) => !stats.databaseAvailable && stats.buffered === 0 && stats.spooledFiles > 0,
        5_000,
        'the writer to spill everything it holds',
      ),
    );
  }, 60_000);

  it('with durability: disk, every answered request is on disk at once: a SIGKILL right after the last answer loses nothing', async () => {
    // Killed as soon as the gateway has logged the last request (its request line is written right
    // after the request is accounted): no flush interval, no spill waited for.
    await crashDuringOutage('journal', { durability: 'disk' }, (crashing) =>
      crashing.waitForLog((record) => record.request_id === 'journal-29', 5_000),
    );
  }, 60_000);
});
