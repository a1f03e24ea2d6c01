import type { SseEvent } from './codec.js';

/**
 * Incremental server-sent-events parser (WHATWG HTML, "event stream interpretation"). It accepts
 * bytes in arbitrary chunks and returns complete events only, so no event and no UTF-8 character
 * is ever split: `TextDecoder` with `stream: true` holds back a partial multi-byte sequence.
 */
export class SseParser {
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  private buffer = '';

  /** Feeds bytes; returns the events completed by them. */
  push(chunk: Uint8Array): SseEvent[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    return this.drain();
  }

  /** Whatever is left when the stream ends: a final event without its blank line counts. */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    if (this.buffer.trim() === '') return [];
    this.buffer += '\n\n';
    return this.drain();
  }

  private drain(): SseEvent[] {
    const events: SseEvent[] = [];
    for (;;) {
      const boundary = findBoundary(this.buffer);
      if (boundary === undefined) return events;
      const block = this.buffer.slice(0, boundary.start);
      this.buffer = this.buffer.slice(boundary.end);
      const event = parseSseBlock(block);
      if (event !== undefined) events.push(event);
    }
  }
}

function findBoundary(text: string): { start: number; end: number } | undefined {
  const lf = text.indexOf('\n\n');
  const crlf = text.indexOf('\r\n\r\n');
  if (lf === -1 && crlf === -1) return undefined;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { start: crlf, end: crlf + 4 };
  return { start: lf, end: lf + 2 };
}

export function parseSseBlock(block: string): SseEvent | undefined {
  // Most events are one `data: ` line: read it without splitting the block into lines.
  if (block.startsWith('data: ')) {
    const newline = block.indexOf('\n');
    const end = newline === -1 ? block.length : newline;
    const rest = block.length - end;
    const oneLine = rest === 0 || (rest <= 2 && block.endsWith(rest === 1 ? '\n' : '\n\n'));
    if (oneLine && block.charCodeAt(end - 1) !== cr) return { data: block.slice(6, end) };
  }
  return parseSseFields(block);
}

/** The block read field by field, as WHATWG's event stream interpretation reads it. */
export function parseSseFields(block: string): SseEvent | undefined {
  let event: string | undefined;
  let data: string | undefined;
  for (const rawLine of block.split('\n')) {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
  }
  if (data === undefined) return undefined;
  return event === undefined ? { data } : { event, data };
}

const cr = 0x0d;
