import { HeldText } from './held-text.js';
import type { PiiType } from './pii-types.js';
import type { RequestDialect } from './request-redaction.js';

/** One chunk of an answer stream: one or more complete SSE events, as text or as bytes. */
export type StreamFrame = Uint8Array | string;

/**
 * Masks the text deltas of a streamed answer in the caller's dialect, frame by frame, each part
 * (an OpenAI choice, an Anthropic content block) through its own `HeldText`. What a part still
 * holds is released, masked, when the part ends: with an OpenAI choice's `finish_reason`, before
 * an Anthropic `content_block_stop`, and before anything that ends the answer (`[DONE]`, a usage
 * chunk, `message_delta`, `message_stop`, an in-band error) as an extra delta event. Frames with
 * no text and nothing held pass as they came, bytes untouched.
 */
export function createStreamTextRewriter(
  dialect: RequestDialect,
  types: ReadonlySet<PiiType>,
  found: (type: PiiType) => void,
): (frame: StreamFrame) => StreamFrame {
  const parts = new Map<number, HeldText>();
  const partOf = (index: number): HeldText => {
    let part = parts.get(index);
    if (part !== undefined) return part;
    part = new HeldText(types, found);
    // Indexes come from the upstream: past a bound, a part's deltas are masked each on its own.
    if (parts.size < maxParts) parts.set(index, part);
    return part;
  };
  const holding = (): boolean => [...parts.values()].some((part) => part.holding);
  const rewriteEvent = dialect === 'openai' ? openaiEvent(partOf, parts) : anthropicEvent(partOf, parts);
  const marker = dialect === 'openai' ? '"content"' : 'text_delta';
  return (frame) => {
    const text = typeof frame === 'string' ? frame : decoder.decode(frame);
    if (!text.includes(marker) && !holding()) return frame;
    const pieces = text.split(/(\r?\n\r?\n)/);
    let changed = false;
    for (let index = 0; index < pieces.length; index += 2) {
      const event = pieces[index] ?? '';
      if (event === '') continue;
      const rewritten = rewriteEvent(event);
      if (rewritten !== event) {
        pieces[index] = rewritten;
        changed = true;
      }
    }
    return changed ? pieces.join('') : frame;
  };
}

/** Choices or content blocks per answer; more than any real request asks for (`n` is at most 128). */
const maxParts = 128;
const decoder = new TextDecoder();

type PartOf = (index: number) => HeldText;
type Parts = ReadonlyMap<number, HeldText>;

interface ParsedEvent {
  readonly lines: string[];
  readonly dataLine: number;
  readonly data: string;
}

function parseEvent(event: string): ParsedEvent | undefined {
  const lines = event.split(/\r?\n/);
  const dataLines = lines.flatMap((line, index) => (line.startsWith('data:') ? [index] : []));
  const dataLine = dataLines[0];
  if (dataLine === undefined || dataLines.length > 1) return undefined;
  const data = (lines[dataLine] ?? '').slice(5).trimStart();
  return { lines, dataLine, data };
}

function withData(parsed: ParsedEvent, value: unknown): string {
  const lines = parsed.lines.slice();
  lines[parsed.dataLine] = `data: ${JSON.stringify(value)}`;
  return lines.join('\n');
}

function parseJson(data: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(data);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** OpenAI chunks: `choices[].delta.content`, ended by `finish_reason`. */
function openaiEvent(partOf: PartOf, parts: Parts): (event: string) => string {
  let envelope: Record<string, unknown> = { object: 'chat.completion.chunk' };
  const flushAll = (): string => {
    let prefix = '';
    for (const [index, part] of parts) {
      const text = part.flush();
      if (text === '') continue;
      const chunk = { ...envelope, choices: [{ index, delta: { content: text }, finish_reason: null }] };
      prefix += `data: ${JSON.stringify(chunk)}\n\n`;
    }
    return prefix;
  };
  return (event) => {
    const parsed = parseEvent(event);
    if (parsed === undefined) return event;
    if (parsed.data === '[DONE]') return flushAll() + event;
    const chunk = parseJson(parsed.data);
    if (chunk === undefined) return event;
    if (!Array.isArray(chunk.choices)) return chunk.error === undefined ? event : flushAll() + event;
    envelope = envelopeOf(chunk);
    if (chunk.choices.length === 0) return flushAll() + event;
    let changed = false;
    for (const choice of chunk.choices as unknown[]) {
      if (!isObject(choice)) continue;
      const index = typeof choice.index === 'number' ? choice.index : 0;
      const part = partOf(index);
      const delta = isObject(choice.delta) ? choice.delta : undefined;
      let content = typeof delta?.content === 'string' ? part.push(delta.content) : undefined;
      if (typeof choice.finish_reason === 'string' || !parts.has(index)) {
        const rest = part.flush();
        if (rest !== '') content = (content ?? '') + rest;
      }
      if (content === undefined || content === delta?.content) continue;
      choice.delta = { ...delta, content };
      changed = true;
    }
    return changed ? withData(parsed, chunk) : event;
  };
}

/** What a synthetic chunk repeats of the last real one: its id, model, creation time. */
function envelopeOf(chunk: Record<string, unknown>): Record<string, unknown> {
  const { choices: _choices, usage: _usage, ...envelope } = chunk;
  return envelope;
}

/** Anthropic events: `content_block_delta` with a `text_delta`, ended by `content_block_stop`. */
function anthropicEvent(partOf: PartOf, parts: Parts): (event: string) => string {
  const deltaEvent = (index: number, text: string): string =>
    `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })}\n\n`;
  const flush = (index: number): string => {
    const text = parts.get(index)?.flush() ?? '';
    return text === '' ? '' : deltaEvent(index, text);
  };
  const flushAll = (): string => [...parts.keys()].map(flush).join('');
  return (event) => {
    const parsed = parseEvent(event);
    if (parsed === undefined) return event;
    const message = parseJson(parsed.data);
    if (message === undefined) return event;
    const index = typeof message.index === 'number' ? message.index : 0;
    switch (message.type) {
      case 'content_block_delta': {
        const delta = message.delta;
        if (!isObject(delta) || delta.type !== 'text_delta' || typeof delta.text !== 'string') return event;
        const part = partOf(index);
        const text = parts.get(index) === part ? part.push(delta.text) : part.push(delta.text) + part.flush();
        if (text === delta.text) return event;
        message.delta = { ...delta, text };
        return withData(parsed, message);
      }
      case 'content_block_stop':
        return flush(index) + event;
      case 'message_delta':
      case 'message_stop':
      case 'error':
        return flushAll() + event;
      default:
        return event;
    }
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
