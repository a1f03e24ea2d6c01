import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { resolveMasterKey } from '../src/cli/master-key.js';
import { startMockServer } from '../src/providers/mock/index.js';

interface Run {
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv,
    env,
    cwd,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
    stderrStream: process.stderr,
    execPath: process.execPath,
  });
  return { code, stdout, stderr };
}

describe('gatehouse init and check', () => {
  let mock: Awaited<ReturnType<typeof startMockServer>>;
  let directory: string;

  beforeAll(async () => {
    mock = await startMockServer({ port: 0, host: '127.0.0.1' });
    directory = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  });
  afterAll(() => mock.close());

  it('init writes a starter file that check accepts, and refuses to overwrite it', async () => {
    const init = await run(['init'], directory);
    expect(init.code).toBe(0);
    expect(readFileSync(join(directory, 'gatehouse.yaml'), 'utf8')).toContain('# ');
    const again = await run(['init'], directory);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already exists');
    const check = await run(['check'], directory, { GATEHOUSE_DATA_DIR: join(directory, 'data') });
    expect(check.stderr).toBe('');
    expect(check.stdout).toContain('configuration: ok');
    expect(check.stdout).toMatch(/provider mock \(mock\): ok/);
    expect(check.code).toBe(0);
  });

  it("check lists a reachable provider's models without a billable call", async () => {
    const file = join(directory, 'reachable.yaml');
    writeFileSync(file, `providers:\n  local:\n    type: openai-compatible\n    base_url: ${mock.url}/v1\n`);
    const check = await run(['check', '--config', file], directory);
    expect(check.stdout).toMatch(/provider local \(openai-compatible\): ok/);
    expect(check.stdout).toMatch(/\d+ models available/);
    expect(check.code).toBe(0);
  });

  it('check fails with exit code 1 naming an unreachable provider', async () => {
    const file = join(directory, 'unreachable.yaml');
    writeFileSync(
      file,
      'providers:\n  gone:\n    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n',
    );
    const check = await run(['check', '--config', file, '--timeout', '2000'], directory);
    expect(check.stdout).toMatch(/provider gone \(openai-compatible\): FAILED/);
    expect(check.code).toBe(1);
  });

  it('an invalid configuration exits with code 2 naming the field, its line and what is expected', async () => {
    const file = join(directory, 'invalid.yaml');
    writeFileSync(file, 'server:\n  port: -5\n  colour: blue\n');
    const check = await run(['check', '--config', file], directory);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/invalid\.yaml:2:\d+ server\.port/);
    expect(check.stderr).toMatch(/colour/);
  });

  it('bad usage exits with code 2 and --help with 0', async () => {
    expect((await run(['frobnicate'], directory)).code).toBe(2);
    expect((await run(['start', '--port', 'abc'], directory)).code).toBe(2);
    expect((await run(['--help'], directory)).code).toBe(0);
  });
});

describe('master key', () => {
  it('is generated once into the data directory with mode 0600 and reused afterwards', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'gatehouse-key-')), 'data');
    const first = resolveMasterKey(undefined, dataDir);
    expect(first.source).toBe('generated');
    expect(first.key.length).toBeGreaterThanOrEqual(32);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
    const second = resolveMasterKey(undefined, dataDir);
    expect(second).toMatchObject({ source: 'file', key: first.key });
    expect(resolveMasterKey('configured-master-key-value', dataDir)).toMatchObject({
      source: 'configuration',
    });
  });
});

describe('gatehouse check reaches shared state', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

  it('with a real round trip to Redis and Postgres, and names one that does not answer', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'gatehouse-check-'));
    const good = await run(['check', '--timeout', '3000'], directory, {
      REDIS_URL: redisUrl,
      DATABASE_URL: databaseUrl,
      GATEHOUSE_DATA_DIR: join(directory, 'data'),
    });
    expect(good.stdout).toMatch(/redis redis:\/\/\S+: ok/);
    expect(good.stdout).toMatch(/database postgres:\/\/\S+: ok/);
    expect(good.code).toBe(0);
    const bad = await run(['check', '--timeout', '1000'], directory, {
      REDIS_URL: 'redis://127.0.0.1:9',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/test',
      GATEHOUSE_DATA_DIR: join(directory, 'data'),
    });
    expect(bad.stdout).toMatch(/redis redis:\/\/127\.0\.0\.1:9: FAILED/);
    expect(bad.stdout).toMatch(/database postgres:\/\/\S+: FAILED/);
    expect(bad.code).toBe(1);
  });
});
