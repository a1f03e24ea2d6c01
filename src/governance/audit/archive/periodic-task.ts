/** Timers as periodic work uses them, injectable for tests. */
export interface TaskTimers {
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
}

const unrefTimers: TaskTimers = {
  setTimeout(callback, milliseconds) {
    const handle = setTimeout(callback, milliseconds);
    // Background work must not keep a process alive that has nothing else to do.
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

export interface PeriodicTask {
  /** No further runs; resolves once a run under way has finished. */
  stop(): Promise<void>;
}

export interface PeriodicTaskOptions {
  readonly run: () => Promise<void>;
  readonly intervalMs: number;
  /** Before the first run. */
  readonly firstDelayMs: number;
  /** A run that failed (the next one comes as planned). */
  readonly onError: (error: unknown) => void;
  readonly timers?: TaskTimers;
}

/** Runs `run` every `intervalMs`, never two at once (the next is planned when one ends). */
export function startPeriodicTask(options: PeriodicTaskOptions): PeriodicTask {
  const timers = options.timers ?? unrefTimers;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let handle: unknown;
  const plan = (delay: number): void => {
    handle = timers.setTimeout(() => {
      running = options
        .run()
        .catch(options.onError)
        .finally(() => {
          if (!stopped) plan(options.intervalMs);
        });
    }, delay);
  };
  plan(options.firstDelayMs);
  return {
    async stop() {
      stopped = true;
      timers.clearTimeout(handle);
      await running;
    },
  };
}
