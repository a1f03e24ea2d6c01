#!/usr/bin/env node
import { runCli } from './cli/index.js';

/**
 * The process entry: the only module that reads process.env and argv, installs signal handlers
 * and decides the exit code. Commands receive these as parameters.
 */
function onShutdownSignal(shutdown: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    // A second signal exits at once, so an operator can always stop a process stuck in its drain.
    if (stopping) {
      process.stderr.write(`gatehouse: second ${signal}, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    shutdown().then(
      () => undefined,
      (error: unknown) => {
        process.stderr.write(
          `gatehouse: shutdown failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        process.exitCode = 1;
      },
    );
  };
  process.on('SIGTERM', handle);
  process.on('SIGINT', handle);
}

function onReloadSignal(reload: () => Promise<void>): void {
  process.on('SIGHUP', () => {
    reload().catch((error: unknown) => {
      process.stderr.write(
        `gatehouse: reload failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    });
  });
}

const code = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrStream: process.stderr,
  stdoutStream: process.stdout,
  execPath: process.execPath,
  onShutdownSignal,
  onReloadSignal,
});
if (code !== undefined) process.exitCode = code;
