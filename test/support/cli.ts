import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real command line as a child process: `node dist/main.js ...` (dist/ is compiled by the
 * global setup in build.ts). The child gets a clean environment — no provider keys from the
 * developer's shell — and runs in an empty temporary directory, so no `./gatehouse.yaml` is read.
 */

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mainScript = join(projectRoot, 'dist', 'main.js');

/** Node 24 (the runtime the project targets): this process's when it is 24, else the pinned one. */
export const nodeBinary = process.version.startsWith('v24.')
  ? process.execPath
  : join(projectRoot, 'node_modules', '.bin', 'node');

export const testMasterKey = 'gh-cli-test-master-key-0123456789';

export interface CliProcess {
  readonly child: ChildProcess;
  readonly cwd: string;
  stdout(): string;
  stderr(): string;
  /** Parsed JSON lines from stdout (other lines skipped). */
  logRecords(): Record<string, unknown>[];
  /** Resolves with the first log record for which `match` holds; rejects on exit or timeout. */
  waitForLog(
    match: (record: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Kills the child if it still runs (test clean-up). */
  kill(): void;
}

export interface CliOptions {
  /** Variables added to the clean environment. */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

export function spawnCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
  const child = spawn(nodeBinary, [mainScript, ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      GATEHOUSE_DATA_DIR: join(cwd, '.gatehouse'),
      METRICS_PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const listener of listeners) listener();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      for (const listener of listeners) listener();
      resolve({ code, signal });
    });
  });
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });

  const logRecords = (): Record<string, unknown>[] =>
    stdout.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

  return {
    child,
    cwd,
    stdout: () => stdout,
    stderr: () => stderr,
    logRecords,
    waitForLog(match, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = logRecords().find(match);
          if (found !== undefined) {
            finish();
            resolve(found);
          } else if (hasExited || child.exitCode !== null) {
            finish();
            reject(
              new Error(
                `gatehouse exited before the expected log line\nstdout:\n${stdout}\nstderr:\n${stderr}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(
            new Error(`no expected log line within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`),
          );
        }, timeoutMs);
        const finish = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    exited,
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Starts `gatehouse start --port 0` and resolves with its URL once it logs that it started. */
export async function startCliGateway(
  options: CliOptions & { readonly args?: readonly string[] } = {},
): Promise<CliProcess & { readonly url: string }> {
  const cli = spawnCli(['start', '--port', '0', ...(options.args ?? [])], {
    ...options,
    env: { GATEHOUSE_MASTER_KEY: testMasterKey, ...options.env },
  });
  try {
    const started = await cli.waitForLog((record) => record.msg === 'gatehouse started');
    return { ...cli, url: String(started.url) };
  } catch (error) {
    cli.kill();
    throw error;
  }
}

/** Runs a short command to its end. */
export async function runCli(
  args: readonly string[],
  options: CliOptions = {},
  timeoutMs = 15_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = spawnCli(args, options);
  const timer = setTimeout(() => cli.kill(), timeoutMs);
  const { code } = await cli.exited;
  clearTimeout(timer);
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
