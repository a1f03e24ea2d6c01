import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import type { KeyStore, KeyView } from '../keys/index.js';
import { createMemoryKeyStore } from '../stores/memory/memory-key-store.js';
import { exitCodes, type CliEnvironment } from './environment.js';
import { registerKeysCommand } from './keys.js';

const now = Date.parse('2030-01-01T00:00:00Z');

/** Runs `gatehouse keys ...` in process, as runCli does, against one in-memory store. */
function cli(store: KeyStore = createMemoryKeyStore(), configYaml?: string) {
  const cwd = mkdtempSync(join(tmpdir(), 'gatehouse-keys-'));
  if (configYaml !== undefined) writeFileSync(join(cwd, 'gatehouse.yaml'), configYaml);
  const close = vi.fn(() => Promise.resolve());
  const openStores = vi.fn(() => Promise.resolve({ keys: store, close }));
  return {
    store,
    close,
    openStores,
    run: async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const environment: CliEnvironment = {
        argv,
        env: {},
        cwd,
        stdout: (text) => (stdout += text),
        stderr: (text) => (stderr += text),
        onShutdownSignal: () => undefined,
        onReloadSignal: () => undefined,
        stderrStream: process.stderr,
        execPath: process.execPath,
      };
      const program = new Command('gatehouse')
        .exitOverride()
        .configureOutput({ writeOut: environment.stdout, writeErr: environment.stderr });
      let code: number | undefined = exitCodes.ok;
      registerKeysCommand(program, environment, (result) => (code = result), { openStores, now: () => now });
      try {
        await program.parseAsync(argv, { from: 'user' });
      } catch (error) {
        if (!(error instanceof CommanderError)) throw error;
        code = error.exitCode === 0 ? exitCodes.ok : exitCodes.usage;
      }
      return { code, stdout, stderr };
    },
  };
}

async function createJson(
  run: ReturnType<typeof cli>['run'],
  ...options: string[]
): Promise<KeyView & { key: string }> {
  const result = await run('keys', 'create', '--json', ...options);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as KeyView & { key: string };
}

describe('gatehouse keys', () => {
  it('create prints the secret once with a warning, and stores only its hash', async () => {
    const { run, store, close } = cli();
    const result = await run('keys', 'create', '--name', 'search-bot', '--tier', 'free');
    expect(result.code).toBe(0);
    const secret = /\n {2}(gh-[\w-]{43})\n/.exec(result.stdout)?.[1];
    expect(secret).toBeDefined();
    expect(result.stdout).toContain('shown only once');
    const [stored] = await store.list();
    expect(stored).toMatchObject({ name: 'search-bot', tier: 'free' });
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('create takes every attribute from options', async () => {
    const { run } = cli();
    const created = await createJson(
      run,
      ...['--name', 'full', '--tier', 'enterprise', '--role', 'admin', '--team', 'search', '--owner', 'ana'],
      ...[
        '--agent-id',
        'agent-1',
        '--models',
        'gpt-4o*, mock*',
        '--rpm',
        '10',
        '--tpm',
        '1000',
        '--concurrency',
        '2',
      ],
      ...[
        '--budget-usd',
        '25.5',
        '--budget-period',
        'week',
        '--expires',
        '30d',
        '--metadata',
        'cost_center=42',
        '--metadata',
        'env=prod',
      ],
    );
    expect(created).toMatchObject({
      name: 'full',
      tier: 'enterprise',
      role: 'admin',
      team: 'search',
      owner: 'ana',
      agent_id: 'agent-1',
      models: ['gpt-4o*', 'mock*'],
      limits: { requests_per_minute: 10, tokens_per_minute: 1000, concurrent_requests: 2 },
      budget: { usd: 25.5, period: 'week' },
      expires_at: '2030-01-31T00:00:00.000Z',
      metadata: { cost_center: '42', env: 'prod' },
    });
    expect(created.key).toMatch(/^gh-/);
  });

  it('create defaults the budget period to a month and accepts ISO expiry dates', async () => {
    const { run } = cli();
    const created = await createJson(run, '--name', 'a', '--budget-usd', '5', '--expires', '2031-02-03');
    expect(created).toMatchObject({
      budget: { usd: 5, period: 'month' },
      expires_at: '2031-02-03T00:00:00.000Z',
    });
  });

  it.each([
    [['--rpm', 'ten'], /expected a number/],
    [['--rpm', '-5'], /--rpm: Invalid 'limits.requests_per_minute': must be positive/],
    [['--tpm', '1e12'], /--tpm: .*at most 10000000000/],
    [['--tier', 'platinum'], /--tier: Unknown tier 'platinum'/],
    [['--role', 'root'], /--role: /],
    [['--budget-period', 'week'], /--budget-period needs --budget-usd/],
    [['--expires', 'tomorrow'], /--expires: 'tomorrow' is neither/],
    [['--expires', '2020-01-01'], /--expires: .*not in the future/],
    [['--metadata', 'novalue'], /--metadata: expected name=value/],
  ])('create refuses bad input %j with exit code 2', async (options, message) => {
    const { run, store } = cli();
    const result = await run('keys', 'create', '--name', 'a', ...options);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await store.list()).toHaveLength(0);
  });

  it('create needs --name and refuses a duplicate one', async () => {
    const { run } = cli();
    expect((await run('keys', 'create')).stderr).toContain('keys create needs --name.');
    await createJson(run, '--name', 'same');
    const duplicate = await run('keys', 'create', '--name', 'same');
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain("--name: A key named 'same' already exists.");
  });

  it('list prints a table with each key status, or JSON', async () => {
    const { run } = cli();
    expect((await run('keys', 'list')).stdout).toBe('No keys.\n');
    const first = await createJson(run, '--name', 'first', '--team', 'search');
    const second = await createJson(run, '--name', 'second');
    await run('keys', 'revoke', second.id);
    const table = await run('keys', 'list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(new RegExp(`${first.id}.*first.*search.*active`));
    expect(table.stdout).toMatch(new RegExp(`${second.id}.*second.*revoked`));
    expect(table.stdout).not.toContain(first.key);
    const json = JSON.parse((await run('keys', 'list', '--json')).stdout) as KeyView[];
    expect(json.map((key) => key.name).sort()).toEqual(['first', 'second']);
  });

  it('show prints the limits in force and where each comes from', async () => {
    const { run } = cli();
    const created = await createJson(run, '--name', 'shown', '--tier', 'free', '--rpm', '5');
    const shown = await run('keys', 'show', created.id);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/requests: +5 per minute \(key\)/);
    expect(shown.stdout).toMatch(/tokens: +40000 per minute \(tier free\)/);
    expect(shown.stdout).toMatch(/status: +active/);
    expect(JSON.parse((await run('keys', 'show', created.id, '--json')).stdout)).toMatchObject({
      id: created.id,
    });
  });

  it('update changes and clears attributes', async () => {
    const { run } = cli();
    const created = await createJson(run, '--name', 'u', '--team', 't', '--budget-usd', '5', '--rpm', '3');
    const updated = await run(
      'keys',
      'update',
      created.id,
      '--tier',
      'enterprise',
      '--clear',
      'team,budget',
      '--json',
    );
    expect(updated.code, updated.stderr).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      tier: 'enterprise',
      team: null,
      budget: null,
      limits: { requests_per_minute: 3 },
    });
    const text = await run('keys', 'update', created.id, '--name', 'renamed');
    expect(text.stdout).toMatch(/^Updated key key_/);
  });

  it('update refuses unknown clear fields, conflicting options, nothing to do, and unknown ids', async () => {
    const { run } = cli();
    const created = await createJson(run, '--name', 'u');
    expect((await run('keys', 'update', created.id, '--clear', 'colour')).stderr).toContain(
      "--clear: unknown field 'colour'",
    );
    expect((await run('keys', 'update', created.id, '--team', 'a', '--clear', 'team')).stderr).toContain(
      "'team' is both set and cleared",
    );
    const nothing = await run('keys', 'update', created.id);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Nothing to update');
    const unknown = await run('keys', 'update', 'key_0123456789abcdef', '--name', 'x');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("No key with id 'key_0123456789abcdef'.");
  });

  it('revoke revokes, and an unknown id is bad input', async () => {
    const { run, store } = cli();
    const created = await createJson(run, '--name', 'r');
    const revoked = await run('keys', 'revoke', created.id);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toBe(`Revoked key ${created.id} (r) at 2030-01-01T00:00:00.000Z.\n`);
    expect((await store.findById(created.id))?.revokedAt).toBe(now);
    const unknown = await run('keys', 'revoke', 'key_0123456789abcdef');
    expect(unknown.code).toBe(2);
    const missing = await run('keys', 'revoke');
    expect(missing.code).toBe(2);
  });

  it('exits 1 when the database fails, and still closes it', async () => {
    const store = createMemoryKeyStore();
    vi.spyOn(store, 'list').mockRejectedValue(new Error('connection refused'));
    const { run, close } = cli(store);
    const result = await run('keys', 'list');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('gatehouse: connection refused\n');
    expect(close).toHaveBeenCalledTimes(1);
  });

  it('exits 1 when the database cannot be opened', async () => {
    const { run, openStores } = cli();
    openStores.mockRejectedValueOnce(new Error('no database'));
    expect(await run('keys', 'list')).toMatchObject({ code: 1, stderr: 'gatehouse: no database\n' });
  });

  it('exits 2 on an invalid configuration without opening the database', async () => {
    const { run, openStores } = cli(createMemoryKeyStore(), 'keys:\n  refresh_interval_ms: 5000\n');
    const result = await run('keys', 'list');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid configuration');
    expect(openStores).not.toHaveBeenCalled();
  });

  it('uses the configured tiers and default tier', async () => {
    const { run } = cli(
      createMemoryKeyStore(),
      'tiers:\n  gold:\n    requests_per_minute: 7\nkeys:\n  default_tier: gold\n',
    );
    const created = await createJson(run, '--name', 'g');
    expect(created.tier).toBe('gold');
    expect((await run('keys', 'show', created.id)).stdout).toMatch(/requests: +7 per minute \(tier gold\)/);
  });
});
