/** Timers as the notifier uses them, injectable so tests and other clocks can drive it. */
export interface Timers {
  setTimeout(callback: () => void, milliseconds: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs `callback` after the current turn of the event loop: work the caller never waits for. */
  defer(callback: () => void): void;
}

export const realTimers: Timers = {
  setTimeout(callback, milliseconds) {
    const handle = setTimeout(callback, milliseconds);
    // A retry waiting for its turn must not keep a process alive that has nothing else to do.
    handle.unref();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  defer(callback) {
    setImmediate(callback);
  },
};
