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

function frameEnd(data: Buffer, from: number): number {
  const lf = data.indexOf('\n\n', from);
  const crlf = data.indexOf('\r\n\r\n', from);
  if (lf === -1 && crlf === -1) return -1;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return crlf + 4;
  return lf + 2;
}
