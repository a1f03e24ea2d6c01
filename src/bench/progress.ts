import cliProgress from 'cli-progress';

/**
 * The progress bar on stderr, so stdout carries only the table. On a stream that is not a terminal
 * cli-progress draws nothing, which keeps logs and tests clean.
 */

export interface Progress {
  start(totalSeconds: number): void;
  /** Seconds of the plan done so far, and what runs now. */
  update(doneSeconds: number, label: string): void;
  stop(): void;
}

export function createProgressBar(stream: NodeJS.WritableStream): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{bar} {percentage}% | {label} | about {eta_formatted} left',
      etaBuffer: 50,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (totalSeconds) => bar.start(Math.max(1, Math.round(totalSeconds * 10)), 0, { label: 'starting' }),
    update: (doneSeconds, label) => bar.update(Math.round(doneSeconds * 10), { label }),
    stop: () => bar.stop(),
  };
}

export const silentProgress: Progress = {
  start: () => undefined,
  update: () => undefined,
  stop: () => undefined,
};
