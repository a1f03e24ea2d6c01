/** What the process entry gives every command: the outside world, as parameters. */
export interface CliEnvironment {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The terminal stream for progress bars (the bench), and the Node.js binary running us. */
  readonly stderrStream: NodeJS.WriteStream;
  readonly execPath: string;
  /** Stdout as a stream, for output too large to pass as text (`gatehouse audit export`); never ended. */
  readonly stdoutStream?: NodeJS.WritableStream;
  /** Runs `shutdown` on the first SIGTERM or SIGINT. */
  readonly onShutdownSignal: (shutdown: () => Promise<void>) => void;
  /** Runs `reload` on every SIGHUP (certificate rotation). */
  readonly onReloadSignal: (reload: () => Promise<void>) => void;
}

/** Exit codes (SPEC section 1): 0 success, 1 runtime failure, 2 bad usage or configuration. */
export const exitCodes = { ok: 0, failure: 1, usage: 2 } as const;
