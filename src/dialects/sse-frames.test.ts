import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSseBlock, parseSseFields } from './sse-parser.js';
import { SseFrameSplitter } from './sse-frames.js';

/** The frames of a whole stream, found the plain way: the earliest `\n\n` or `\r\n\r\n` each time. */
function referenceFrames(text: string): { frames: string[]; rest: string } {
  const frames: string[] = [];
  let start = 0;
  for (;;) {
    const lf = text.indexOf('\n\n', start);
    const crlf = text.indexOf('\r\n\r\n', start);
    if (lf === -1 && crlf === -1) break;
    const end = crlf !== -1 && (lf === -1 || crlf < lf) ? crlf + 4 : lf + 2;
    frames.push(text.slice(start, end));
    start = end;
  }
  return { frames, rest: text.slice(start) };
}

/** Lines and separators of SSE streams, including the awkward ones. */
const streamText = fc
  .array(fc.constantFrom('data: {"a":1}', 'event: x', ': comment', 'data:', '\n', '\r\n', '\r', 'é', 'x'), {
    maxLength: 40,
  })
  .map((pieces) => pieces.join(''));

describe('SseFrameSplitter', () => {
  it('finds the frames a plain search finds, however the bytes are cut', () => {
    fc.assert(
      fc.property(streamText, fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
        const splitter = new SseFrameSplitter();
        const frames: string[] = [];
        let from = 0;
        for (const point of [...points, bytes.length]) {
          frames.push(...splitter.push(bytes.subarray(from, point)).map((frame) => frame.toString()));
          from = point;
        }
        const expected = referenceFrames(text);
        expect(frames).toEqual(expected.frames);
        expect(splitter.rest()?.toString() ?? '').toBe(expected.rest);
      }),
    );
  });
});

describe('parseSseBlock', () => {
  it('reads a one-line data event without splitting lines, as the field-by-field reading does', () => {
    const block = fc
      .array(fc.constantFrom('data: ', 'data:', 'event: e', '{"x":1}', ' ', '\n', '\r', ':', 'é'), {
        maxLength: 12,
      })
      .map((pieces) => pieces.join(''));
    fc.assert(
      fc.property(block, (text) => {
        expect(parseSseBlock(text)).toEqual(parseSseFields(text));
      }),
    );
    expect(parseSseBlock('data: {"a":1}\n\n')).toEqual({ data: '{"a":1}' });
    expect(parseSseBlock('data: x\r\n\r\n')).toEqual({ data: 'x' });
  });
});
