import type { DialectCodec, StreamDecoder, StreamEncoder } from '../dialects/codec.js';
import { parseSseBlock } from '../dialects/sse-parser.js';
import { SseFrameSplitter } from '../dialects/sse-frames.js';
import { GatewayError, normalizeError } from '../errors/index.js';
import type { ChatRequest, ChatStreamEvent, Usage } from '../llm/index.js';
import type { UpstreamResponse } from '../providers/contract.js';

export type Frame = Uint8Array | string;

/** The identity of the answer as the caller first saw it, so a continuation can carry it on. */
export interface StreamStart {
  readonly id: string;
  readonly model: string;
  readonly created: number;
}

/**
 * A relay that continues an answer the caller has partly received: its output is re-encoded
 * through `encoder` (already primed with what was sent), and in restart mode the first
 * `skipText` characters of the new answer must equal what was sent and are not sent again.
 */
export interface Continuation {
  readonly encoder: StreamEncoder;
  readonly skipText: string;
}

export interface StreamRelayOptions {
  readonly response: UpstreamResponse;
  /** Aborting it cancels the upstream read; the relay aborts it itself on a stall. */
  readonly controller: AbortController;
  readonly upstreamCodec: DialectCodec;
  /** The canonical request the upstream's body was encoded from (translation only). */
  readonly upstreamRequest?: ChatRequest;
  /** Present when the caller's dialect differs: frames are re-encoded through it. */
  readonly clientEncoder: StreamEncoder | undefined;
  readonly clientDialect: 'openai' | 'anthropic';
  readonly stallMs: number;
  /** How long to wait for a terminator once the answer has finished (a missing `[DONE]`). */
  readonly finishGraceMs: number;
  readonly continuation?: Continuation;
  /** Pass-through only: drop usage-only frames the gateway asked for and the caller did not. */
  readonly dropUsageFrames?: boolean;
}

/** Terminators written when an upstream finished its answer but never sent its own. */
const terminators = {
  openai: 'data: [DONE]\n\n',
  anthropic: 'event: message_stop\ndata: {"type":"message_stop"}\n\n',
} as const;

/**
 * Relays one upstream stream to the caller as complete SSE frames: byte for byte when the dialects
 * match, re-encoded otherwise. Every event is decoded, to observe usage, the finish, the terminator
 * and what text the caller has received, and to reject malformed events. A stall (no bytes for
 * `stallMs`) aborts the read. Failures are thrown as GatewayErrors; the caller decides between
 * recovery and an in-band error.
 */
export class StreamRelay {
  private readonly decoder: StreamDecoder;
  private readonly splitter = new SseFrameSplitter();
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly encoder: StreamEncoder | undefined;
  private skipText: string;
  private usageSeen: Usage | undefined;
  private startSeen: StreamStart | undefined;
  /** Text of choice 0 forwarded to the caller by this relay. */
  private forwarded = '';
  /** The caller received something other than choice-0 text (a tool call, another choice). */
  private structured = false;
  private contentSeen = false;
  private finished = false;
  private ended = false;
  private stalled = false;
  private timer: NodeJS.Timeout | undefined;
  private timerMs = 0;

  constructor(private readonly options: StreamRelayOptions) {
    this.decoder = options.upstreamCodec.createStreamDecoder(options.upstreamRequest);
    this.iterator = options.response.body[Symbol.asyncIterator]();
    this.encoder = options.continuation?.encoder ?? options.clientEncoder;
    this.skipText = options.continuation?.skipText ?? '';
  }

  get usage(): Usage | undefined {
    return this.usageSeen;
  }

  get start(): StreamStart | undefined {
    return this.startSeen;
  }

  /** What this relay has sent: its choice-0 text, and whether anything else went out. */
  progress(): { readonly text: string; readonly structured: boolean } {
    return { text: this.forwarded, structured: this.structured };
  }

  /**
   * Reads until the first content event (the first token, a tool call or the finish), buffering
   * the frames. Nothing has reached the caller yet, so a failure here can fail over transparently.
   */
  async begin(
    firstTokenMs: number,
  ): Promise<{ ok: true; frames: Frame[] } | { ok: false; error: GatewayError }> {
    const frames: Frame[] = [];
    this.arm(firstTokenMs);
    try {
      while (!this.contentSeen && !this.ended) {
        const batch = await this.pull();
        frames.push(...batch.frames);
        if (batch.done) break;
      }
      this.disarm();
      return { ok: true, frames };
    } catch (error) {
      this.cancel();
      return { ok: false, error: this.describe(error, 'first token') };
    }
  }

  /**
   * The buffered frames, then the rest of the stream; throws a GatewayError if it fails. The
   * frames of one upstream read go out together, as one write: a write per event would cost the
   * caller's socket a system call per token.
   */
  async *frames(initial: readonly Frame[]): AsyncGenerator<Frame> {
    try {
      const first = joinFrames(initial);
      if (first !== undefined) yield first;
      while (!this.ended) {
        this.arm(this.finished ? this.options.finishGraceMs : this.options.stallMs);
        const batch = await this.pull();
        const joined = joinFrames(batch.frames);
        if (joined !== undefined) yield joined;
        if (batch.done) break;
      }
    } catch (error) {
      throw this.describe(error, 'next event');
    } finally {
      this.disarm();
      if (!this.ended) this.cancel();
    }
  }

  cancel(): void {
    this.disarm();
    this.options.response.cancel();
  }

  private async pull(): Promise<{ frames: Frame[]; done: boolean }> {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await this.iterator.next();
    } catch (error) {
      // A finished answer whose terminator never came: complete it rather than fail it.
      if (this.stalled && this.finished) return { frames: this.finish(), done: true };
      throw error;
    }
    if (result.done === true) {
      const rest = this.splitter.rest();
      const frames = rest === undefined ? [] : this.process([Buffer.concat([rest, Buffer.from('\n\n')])]);
      if (!this.ended && this.finished) frames.push(...this.finish());
      if (!this.ended) {
        throw new GatewayError(
          'stream_interrupted',
          'The upstream stream ended before the answer was complete.',
        );
      }
      return { frames, done: true };
    }
    return { frames: this.process(this.splitter.push(result.value)), done: false };
  }

  private process(rawFrames: readonly Buffer[]): Frame[] {
    const out: Frame[] = [];
    for (const raw of rawFrames) {
      const text = raw.toString('utf8');
      const event = parseSseBlock(text);
      if (event === undefined) {
        if (this.encoder === undefined) out.push(raw);
        continue;
      }
      const events = this.decoder.decode(event);
      if (this.encoder === undefined) {
        for (const canonical of events) this.observe(canonical);
        if (this.options.dropUsageFrames === true) {
          if (isUsageOnly(events)) continue;
          // Asking for usage makes OpenAI add `"usage":null` to every chunk; the caller did not ask.
          if (text.includes(usageNull)) {
            out.push(text.replaceAll(usageNull, ''));
            continue;
          }
        }
        out.push(raw);
        continue;
      }
      for (const canonical of events) {
        const forwarded = this.options.continuation === undefined ? canonical : this.continued(canonical);
        this.observe(canonical, forwarded);
        if (forwarded === undefined) continue;
        const text = this.encoder.encode(forwarded);
        if (text !== '') out.push(text);
      }
    }
    return out;
  }

  /** In a continuation: drops the new answer's start, and the text the caller already has. */
  private continued(event: ChatStreamEvent): ChatStreamEvent | undefined {
    if (event.type === 'start') return undefined;
    if (event.type !== 'text' || this.skipText === '') return event;
    const overlap = Math.min(this.skipText.length, event.text.length);
    if (event.text.slice(0, overlap) !== this.skipText.slice(0, overlap)) {
      throw new GatewayError(
        'stream_interrupted',
        'The restarted answer differs from what was already sent.',
      );
    }
    this.skipText = this.skipText.slice(overlap);
    const rest = event.text.slice(overlap);
    return rest === '' ? undefined : { ...event, text: rest };
  }

  private observe(event: ChatStreamEvent, forwarded: ChatStreamEvent | undefined = event): void {
    switch (event.type) {
      case 'text':
        this.contentSeen = true;
        if (forwarded?.type === 'text') {
          if (forwarded.choice === 0) this.forwarded += forwarded.text;
          else this.structured = true;
        }
        return;
      case 'tool_call_start':
      case 'tool_call_delta':
        this.contentSeen = true;
        this.structured = true;
        return;
      case 'finish':
        this.contentSeen = true;
        this.finished = true;
        return;
      case 'usage':
        this.usageSeen = event.usage;
        return;
      case 'end':
        this.ended = true;
        return;
      case 'start':
        this.startSeen ??= { id: event.id, model: event.model, created: event.created };
        return;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  /** Completes an answer whose upstream finished but sent no terminator. */
  private finish(): Frame[] {
    this.ended = true;
    if (this.encoder === undefined) return [terminators[this.options.clientDialect]];
    const text = this.encoder.encode({ type: 'end' });
    return text === '' ? [] : [text];
  }

  private arm(milliseconds: number): void {
    // Re-armed before every read: the same timer is restarted rather than a new one made each time.
    if (this.timer !== undefined && this.timerMs === milliseconds) {
      this.timer.refresh();
      return;
    }
    this.disarm();
    this.timerMs = milliseconds;
    this.timer = setTimeout(() => {
      this.stalled = true;
      this.options.controller.abort();
    }, milliseconds);
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private describe(error: unknown, waitingFor: string): GatewayError {
    if (error instanceof GatewayError) return error;
    if (this.stalled) {
      return new GatewayError(
        'upstream_timeout',
        `The upstream stream stalled waiting for the ${waitingFor}.`,
      );
    }
    const normalized = normalizeError(error);
    return normalized.code === 'internal_error'
      ? new GatewayError('stream_interrupted', 'The upstream connection was lost during the answer.', {
          cause: error,
        })
      : normalized;
  }
}

const usageNull = ',"usage":null';

function isUsageOnly(events: readonly ChatStreamEvent[]): boolean {
  return events.length > 0 && events.every((event) => event.type === 'usage');
}

/** Complete frames as one frame (their concatenation is a valid run of SSE events). */
function joinFrames(frames: readonly Frame[]): Frame | undefined {
  if (frames.length <= 1) return frames[0];
  if (frames.every((frame) => typeof frame === 'string')) return frames.join('');
  return (
    adjacentSpan(frames) ??
    Buffer.concat(frames.map((frame) => (typeof frame === 'string' ? Buffer.from(frame) : frame)))
  );
}

/**
 * Frames relayed as they came are consecutive views of one upstream read: the view spanning them
 * is their concatenation, without copying it.
 */
function adjacentSpan(frames: readonly Frame[]): Buffer | undefined {
  const first = frames[0];
  if (!(first instanceof Uint8Array)) return undefined;
  let end = first.byteOffset + first.byteLength;
  for (let index = 1; index < frames.length; index++) {
    const frame = frames[index];
    if (!(frame instanceof Uint8Array) || frame.buffer !== first.buffer || frame.byteOffset !== end) {
      return undefined;
    }
    end += frame.byteLength;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
