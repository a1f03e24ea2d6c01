/**
 * Splits a byte stream of server-sent events into complete frames (each ending with its blank
 * line) without decoding it: frames pass through byte for byte, and since the separator is ASCII
 * no UTF-8 character can be cut. Both `\n\n` and `\r\n\r\n` separators are recognised.
 */
export class SseFrameSplitter {
  private pending: Buffer | undefined;

  push(chunk: Uint8Array): Buffer[] {
    const bytes = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = this.pending === undefined ? bytes : Buffer.concat([this.pending, bytes]);
    const frames: Buffer[] = [];
    let start = 0;
    for (;;) {
      const end = frameEnd(data, start);
      if (end === -1) break;
      frames.push(data.subarray(start, end));
      start = end;
    }
    this.pending = start === data.length ? undefined : data.subarray(start);
    return frames;
  }

  /** Bytes left after the last complete frame (a stream that ended mid-frame). */
  rest(): Buffer | undefined {
    return this.pending;
  }
}

/**
 * The end of the frame starting at `from` (after its blank line), or -1. Only line feeds are
 * searched, once each: looking for `\n\n` and `\r\n\r\n` separately scanned the rest of a read
 * for the separator it does not use once per frame.
 */
function frameEnd(data: Buffer, from: number): number {
  let lineFeed = data.indexOf(lf, from);
  while (lineFeed !== -1) {
    const next = data[lineFeed + 1];
    if (next === lf) return lineFeed + 2;
    if (next === cr && data[lineFeed + 2] === lf && data[lineFeed - 1] === cr) return lineFeed + 3;
    lineFeed = data.indexOf(lf, lineFeed + 1);
  }
  return -1;
}

const lf = 0x0a;
const cr = 0x0d;
