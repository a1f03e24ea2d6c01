/** One chunk of an answer stream: one or more complete SSE events, as text or as bytes. */
export type Frame = Uint8Array | string;

/**
 * A stream's frames passed through `transform` one at a time, each as soon as it arrives: what an
 * answer stage that rewrites a stream wraps it in. Unlike an async generator's, this iterator's
 * `return()` reaches the source at once, even while a `next()` is waiting on a quiet upstream:
 * http/ returns the iterator when the caller leaves, and that is what cancels the upstream.
 */
export function mapFrames(
  frames: AsyncIterable<Frame>,
  transform: (frame: Frame) => Frame,
): AsyncIterable<Frame> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Frame> {
      const source = frames[Symbol.asyncIterator]();
      return {
        async next() {
          const next = await source.next();
          return next.done === true ? next : { done: false, value: transform(next.value) };
        },
        async return() {
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
