import { describe, expect, it } from 'vitest';
import { startPeriodicTask, type TaskTimers } from './periodic-task.js';

/** Timers run by hand: `fire` runs the one planned callback. */
function manualTimers() {
  let planned: { callback: () => void; milliseconds: number } | undefined;
  const timers: TaskTimers = {
    setTimeout(callback, milliseconds) {
      planned = { callback, milliseconds };
      return planned;
    },
    clearTimeout(handle) {
      if (handle === planned) planned = undefined;
    },
  };
  return {
    timers,
    planned: () => planned?.milliseconds,
    fire() {
      const current = planned;
      planned = undefined;
      current?.callback();
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('a periodic task', () => {
  it('runs after its first delay, then every interval, one run at a time, and on after a failure', async () => {
    const clock = manualTimers();
    const errors: unknown[] = [];
    let runs = 0;
    let release: (() => void) | undefined;
    const task = startPeriodicTask({
      run: async () => {
        runs += 1;
        if (runs === 2) throw new Error('the database is away');
        await new Promise<void>((resolve) => (release = resolve));
      },
      intervalMs: 60_000,
      firstDelayMs: 1_000,
      onError: (error) => errors.push(error),
      timers: clock.timers,
    });
    expect(clock.planned()).toBe(1_000);
    clock.fire();
    // While the first run lasts, nothing else is planned.
    expect(clock.planned()).toBeUndefined();
    release?.();
    await settle();
    expect(clock.planned()).toBe(60_000);
    clock.fire();
    await settle();
    expect(errors).toHaveLength(1);
    expect(clock.planned()).toBe(60_000);
    clock.fire();
    const stopping = task.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    release?.();
    await stopping;
    expect(clock.planned()).toBeUndefined();
    expect(runs).toBe(3);
  });
});
