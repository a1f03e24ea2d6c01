/** Timers as the writer uses them, injectable so tests and other clocks can drive it. */
export interface Timers {
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
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

export interface Pass {
  /** Also write a final partial batch (interval, flush, close), not only full batches. */
  all: boolean;
  /** Try the database even while backing off. */
  force: boolean;
}

/** Runs passes one at a time; a wake while a pass is queued merges into it instead of adding one. */
export function createLane(run: (pass: Pass) => Promise<void>, onError: (error: unknown) => void) {
  let queued: Pass | undefined;
  let tail: Promise<void> = Promise.resolve();
  return {
    wake(request: Pass): Promise<void> {
      if (queued !== undefined) {
        if (request.all) queued.all = true;
        if (request.force) queued.force = true;
        return tail;
      }
      const pass = { ...request };
      queued = pass;
      tail = tail
        .then(() => {
          queued = undefined;
          return run(pass);
        })
        .then(undefined, onError);
      return tail;
    },
    idle: (): Promise<void> => tail,
  };
}
