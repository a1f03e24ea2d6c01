import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/** `gatehouse policy …` against a running gateway, through its HTTP API with the master key. */

let gateway: TestGateway;
const directory = mkdtempSync(join(tmpdir(), 'gatehouse-policy-cli-'));

async function policy(
  ...args: string[]
): Promise<{ code: number | undefined; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: ['policy', ...args],
    env: { GATEHOUSE_URL: gateway.url, GATEHOUSE_MASTER_KEY: gateway.masterKey },
    cwd: directory,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    stderrStream: process.stderr,
    execPath: process.execPath,
    onShutdownSignal: () => undefined,
    onReloadSignal: () => undefined,
  });
  return { code, stdout, stderr };
}

describe('gatehouse policy', () => {
  beforeAll(async () => {
    gateway = await startTestGateway({
      governance: { policy: { cedar: 'permit(principal, action, resource);' } },
    });
  });
  afterAll(async () => {
    await gateway?.close();
  });

  it('gets, validates, puts, lists and rolls back the policy', async () => {
    const first = await policy('get');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('permit(principal, action, resource);\n');
    const digest = /digest ([0-9a-f]{64})/.exec(first.stderr)?.[1];
    expect(digest).toBeDefined();

    writeFileSync(join(directory, 'bad.cedar'), 'permit(principal,');
    const invalid = await policy('validate', 'bad.cedar');
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/400 invalid_request: The policy is not valid Cedar/);

    writeFileSync(
      join(directory, 'good.cedar'),
      '@id("only-reads") permit(principal, action == Action::"read", resource);\n',
    );
    expect((await policy('validate', 'good.cedar')).stdout).toMatch(
      /valid; digest [0-9a-f]{64}; policies only-reads/,
    );
    const stale = await policy('put', 'good.cedar', '--if-match', '0'.repeat(64));
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/412 precondition_failed/);
    const stored = await policy('put', 'good.cedar', '--if-match', digest!, '-m', 'reads only');
    expect(stored).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^stored version 2, digest/) as string,
    });

    const history = await policy('history');
    expect(
      history.stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[0]),
    ).toEqual(['2', '1']);
    expect(history.stdout).toContain('reads only');

    expect((await policy('rollback', '1')).stdout).toBe('restored version 1 as version 3\n');
    expect((await policy('get')).stdout).toBe('permit(principal, action, resource);\n');
    expect((await policy('rollback', 'one')).code).toBe(2);
  });

  it('refuses a key that is not an admin’s, and explains an unreachable gateway', async () => {
    const refused = await policy('get', '--key', 'gh-not-a-real-key-0000');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/401/);
    const unreachable = await policy('get', '--url', 'http://127.0.0.1:1');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach/);
  });

  it('documents itself with --help', async () => {
    const help = await policy('--help');
    expect(help.code).toBe(0);
    for (const command of ['get', 'put', 'validate', 'history', 'rollback'])
      expect(help.stdout).toContain(command);
  });
});
