import { describe, expect, it, vi } from 'vitest';
import { mapFrames, type Frame } from './frames.js';

describe('mapFrames', () => {
  it('transforms each frame as it arrives', async () => {
    // eslint-disable-next-line @typescript-eslint/require-await -- a source that is ready at once
    const source = (async function* () {
      yield 'a';
      yield new TextEncoder().encode('b');
    })();
    const seen: Frame[] = [];
    for await (const frame of mapFrames(source, (frame) => String(frame.length))) seen.push(frame);
    expect(seen).toEqual(['1', '1']);
  });

  it('passes return() to the source at once, while a next() still waits', async () => {
    const returned = vi.fn(() => Promise.resolve({ done: true as const, value: undefined }));
    let release: () => void = () => undefined;
    const quiet: AsyncIterable<Frame> = {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<Frame>>((resolve) => {
            release = () => resolve({ done: true, value: undefined });
          }),
        return: async () => {
          release();
          return returned();
        },
      }),
    };
    const iterator = mapFrames(quiet, (frame) => frame)[Symbol.asyncIterator]();
    const waiting = iterator.next();
    await iterator.return?.();
    expect(returned).toHaveBeenCalledOnce();
    await expect(waiting).resolves.toEqual({ done: true, value: undefined });
  });
});
