import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, truncateSync } from 'node:fs';

/**
 * The benchmark's child processes: each target runs in its own process so its CPU and memory can
 * be read from /proc and it competes with the load generator as it would in production. Every
 * child's stdout and stderr go to a file opened for appending, never to a pipe into the harness:
 * the harness is also the load generator, and a pipe it is too busy to drain would slow the child's
 * logging down and flatter it. Appending also lets the file be truncated between runs while the
 * child keeps writing.
 */

export interface ChildSpecification {
  /** For messages: "mock provider", "gatehouse". */
  readonly name: string;
  readonly command: string;
  readonly arguments: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly workingDirectory?: string;
  readonly logFile: string;
  /** A line of the log that says the child is ready; its first group is the URL it listens on. */
  readonly readyPattern: RegExp;
  readonly startTimeoutMs?: number;
  /** Open an IPC channel (the soak's memory reporter answers over it). */
  readonly ipc?: boolean;
}

export interface RunningChild {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly process: ChildProcess;
  readonly logFile: string;
  /** Empties the log file (the child keeps appending), so long runs do not fill the disk. */
  truncateLog(): void;
}

export interface ChildProcessGroup {
  start(specification: ChildSpecification): Promise<RunningChild>;
  /** SIGTERM to every child still running, SIGKILL to any still there after `graceMs`. */
  stopAll(graceMs?: number): Promise<void>;
}

const pollIntervalMs = 50;
const defaultStartTimeoutMs = 20_000;

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function logTail(file: string): string {
  return readLog(file).slice(-2_000).trim();
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

function waitForReady(child: ChildProcess, specification: ChildSpecification): Promise<string> {
  const timeoutMs = specification.startTimeoutMs ?? defaultStartTimeoutMs;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const fail = (reason: string): void => {
      clearInterval(timer);
      child.off('exit', onExit);
      const tail = logTail(specification.logFile);
      reject(new Error(`${specification.name} ${reason}${tail === '' ? '' : `; its output:\n${tail}`}`));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void =>
      fail(`exited before it was ready (code ${String(code)}, signal ${String(signal)})`);
    const timer = setInterval(() => {
      const match = specification.readyPattern.exec(readLog(specification.logFile));
      if (match?.[1] !== undefined) {
        clearInterval(timer);
        child.off('exit', onExit);
        resolve(match[1]);
      } else if (Date.now() - started > timeoutMs) {
        fail(`was not ready within ${timeoutMs} ms`);
      }
    }, pollIntervalMs);
    child.once('exit', onExit);
  });
}

export function createChildProcessGroup(): ChildProcessGroup {
  const children = new Set<ChildProcess>();

  return {
    async start(specification) {
      // A fresh, empty file, so the ready line found is this child's.
      closeSync(openSync(specification.logFile, 'w'));
      const output = openSync(specification.logFile, 'a');
      let child: ChildProcess;
      try {
        child = spawn(specification.command, [...specification.arguments], {
          cwd: specification.workingDirectory,
          env: specification.environment,
          stdio: specification.ipc === true ? ['ignore', output, output, 'ipc'] : ['ignore', output, output],
        });
      } finally {
        closeSync(output);
      }
      children.add(child);
      child.once('exit', () => children.delete(child));
      const spawnFailure = new Promise<never>((_, reject) =>
        child.once('error', (error) =>
          reject(new Error(`${specification.name} could not start: ${error.message}`)),
        ),
      );
      // An 'error' after the child is ready (a failed kill) must not become an unhandled rejection.
      spawnFailure.catch(() => undefined);
      const url = await Promise.race([waitForReady(child, specification), spawnFailure]);
      if (child.pid === undefined) throw new Error(`${specification.name} has no process id`);
      return {
        name: specification.name,
        pid: child.pid,
        url,
        process: child,
        logFile: specification.logFile,
        truncateLog: () => truncateSync(specification.logFile, 0),
      };
    },

    async stopAll(graceMs = 5_000) {
      const running = [...children];
      for (const child of running) child.kill('SIGTERM');
      const all = Promise.all(running.map(exited));
      const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs).unref());
      if ((await Promise.race([all, timer])) === 'late') {
        for (const child of running)
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        await all;
      }
    },
  };
}
