import { SseParser, type SseEvent } from '../../dialects/index.js';

/** One chunk of an answer stream: one or more complete SSE events, as text or as bytes. */
export type Frame = Uint8Array | string;

/**
 * One piece of a rewritten stream. Pieces are written strictly in order, each rendered only once
 * every piece before it has been written, so that what it says can depend on the verdicts before
 * it (a content block's index once an earlier tool call was taken out, a finish reason).
 */
export interface Piece {
  /** Settles when the piece may be written (the verdict it shows); absent: at its turn. */
  readonly until?: Promise<unknown>;
  /** Its SSE text ('' for nothing). */
  readonly render: () => string;
}

/** A dialect's view of the stream: events in, pieces out. */
export interface StreamRewriter {
  /**
   * The frame may go on byte for byte: nothing before it was touched, and nothing in it matters
   * (a cheap text test; until a tool call appears most frames take this path).
   */
  passes(frameText: string): boolean;
  push(event: SseEvent): readonly Piece[];
  /** The source ended: whatever is still owed (calls left open by a stream without its finish). */
  end(): readonly Piece[];
}

/** An event written back as SSE text (JSON data is one line; other data keeps its lines). */
export function sseText(event: SseEvent): string {
  const data = event.data
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n');
  return event.event === undefined ? `${data}\n\n` : `event: ${event.event}\n${data}\n\n`;
}

type Read = IteratorResult<Frame>;

/**
 * The stream as the rewriter rewrites it. Text flows as it comes; a piece waiting on a verdict
 * holds back the pieces after it, and meanwhile the source is read on (so an upstream's stall
 * timer does not fire during a review wait, and calls that complete are judged at once, in
 * parallel). `return()` (the caller left) reaches the source at once.
 */
export function rewriteStream(frames: AsyncIterable<Frame>, rewriter: StreamRewriter): AsyncIterable<Frame> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<Frame> {
      const source = frames[Symbol.asyncIterator]();
      const parser = new SseParser();
      const decoder = new TextDecoder();
      const queue: Piece[] = [];
      let reading: Promise<Read> | undefined;
      let sourceDone = false;
      let closed = false;

      const read = (): Promise<Read> => {
        if (reading === undefined) {
          reading = source.next();
          // A read still in flight when the caller leaves may fail unheard; its reader rethrows.
          reading.catch(() => undefined);
        }
        return reading;
      };

      /** Takes in what the source gave; a frame that may pass as it is comes back. */
      const take = (result: Read): Frame | undefined => {
        reading = undefined;
        if (result.done === true) {
          sourceDone = true;
          queue.push(...rewriter.end());
          return undefined;
        }
        const frame = result.value;
        if (queue.length === 0 && rewriter.passes(typeof frame === 'string' ? frame : decoder.decode(frame)))
          return frame;
        for (const event of parser.push(typeof frame === 'string' ? Buffer.from(frame) : frame))
          queue.push(...rewriter.push(event));
        return undefined;
      };

      /** The pieces at the head that may be written now, rendered in order. */
      const ready = (): string => {
        let text = '';
        for (let head = queue[0]; head !== undefined && head.until === undefined; head = queue[0]) {
          queue.shift();
          text += head.render();
        }
        return text;
      };

      return {
        async next(): Promise<Read> {
          while (!closed) {
            const text = ready();
            if (text !== '') return { done: false, value: text };
            const head = queue[0];
            if (head === undefined) {
              if (sourceDone) return { done: true, value: undefined };
              const passed = take(await read());
              if (passed !== undefined) return { done: false, value: passed };
              continue;
            }
            const { until, render } = head;
            if (sourceDone) {
              await until;
            } else {
              const settled = await Promise.race([until?.then(() => undefined), read()]);
              if (settled !== undefined) {
                take(settled);
                continue;
              }
            }
            queue[0] = { render };
          }
          return { done: true, value: undefined };
        },
        async return(): Promise<Read> {
          closed = true;
          await source.return?.();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
