import type { DialectCodec, StreamDecoder, StreamEncoder } from '../dialects/codec.js';
import { parseSseBlock } from '../dialects/sse-parser.js';
import { SseFrameSplitter } from '../dialects/sse-frames.js';
import { GatewayError, normalizeError } from '../errors/index.js';
import type { ChatStreamEvent, Usage } from '../llm/index.js';
import type { UpstreamResponse } from '../providers/contract.js';
import type { StreamSummary } from './types.js';

export interface StreamRelayOptions {
  readonly response: UpstreamResponse;
  /** Aborting it cancels the upstream read; the relay aborts it itself on a stall. */
  readonly controller: AbortController;
  readonly upstreamCodec: DialectCodec;
  /** Present when the caller's dialect differs: frames are re-encoded through it. */
  readonly clientEncoder: StreamEncoder | undefined;
  readonly clientCodec: DialectCodec;
  readonly stallMs: number;
  /** How long to wait for a terminator once the answer has finished (a missing `[DONE]`). */
  readonly finishGraceMs: number;
}

type Frame = Uint8Array | string;

/** Terminators written when an upstream finished its answer but never sent its own. */
const terminators = {
  openai: 'data: [DONE]\n\n',
  anthropic: 'event: message_stop\ndata: {"type":"message_stop"}\n\n',
} as const;

/**
 * Relays one upstream stream to the caller as complete SSE frames: byte for byte when the dialects
 * match, re-encoded otherwise. Every event is decoded to observe usage, the finish and the
 * terminator, and to reject malformed events. A stall (no bytes for `stallMs`) aborts the read.
 */
export class StreamRelay {
  private readonly decoder: StreamDecoder;
  private readonly splitter = new SseFrameSplitter();
  private readonly iterator: AsyncIterator<Uint8Array>;
  private readonly sameDialect: boolean;
  private usage: Usage | undefined;
  private contentSeen = false;
  private finished = false;
  private ended = false;
  private stalled = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: StreamRelayOptions) {
    this.decoder = options.upstreamCodec.createStreamDecoder();
    this.iterator = options.response.body[Symbol.asyncIterator]();
    this.sameDialect = options.clientEncoder === undefined;
  }

  /**
   * Reads until the first content event (the first token, a tool call or the finish), buffering
   * the frames. Nothing has reached the caller yet, so a failure here can fail over transparently.
   */
  async start(firstTokenMs: number): Promise<{ ok: true; frames: Frame[] } | { ok: false; error: GatewayError }> {
    const frames: Frame[] = [];
    this.arm(firstTokenMs);
    try {
      while (!this.contentSeen && !this.ended) {
        const batch = await this.pull();
        frames.push(...batch.frames);
        if (batch.done) break;
      }
      return { ok: true, frames };
    } catch (error) {
      this.cancel();
      return { ok: false, error: this.describe(error, 'first token') };
    }
  }

  /** The rest of the stream after `start`; ends with an in-band error when the upstream fails. */
  async *frames(initial: Frame[], resolveSummary: (summary: StreamSummary) => void): AsyncGenerator<Frame> {
    let error: GatewayError | undefined;
    try {
      yield* initial;
      while (!this.ended) {
        this.arm(this.finished ? this.options.finishGraceMs : this.options.stallMs);
        const batch = await this.pull();
        yield* batch.frames;
        if (batch.done) break;
      }
    } catch (thrown) {
      error = this.describe(thrown, 'next event');
      if (!this.options.controller.signal.aborted || this.stalled) {
        yield this.options.clientCodec.encodeStreamError(error);
      }
    } finally {
      this.disarm();
      if (!this.ended) this.cancel();
      resolveSummary({ complete: this.ended, usage: this.usage, error });
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
      if (this.stalled && this.finished) return { frames: this.finish(), done: true };
      throw error;
    }
    if (result.done === true) {
      const rest = this.splitter.rest();
      const frames = rest === undefined ? [] : this.process([Buffer.concat([rest, Buffer.from('\n\n')])]);
      if (!this.ended && this.finished) frames.push(...this.finish());
      if (!this.ended) {
        throw new GatewayError('stream_interrupted', 'The upstream stream ended before the answer was complete.');
      }
      return { frames, done: true };
    }
    return { frames: this.process(this.splitter.push(result.value)), done: false };
  }

  private process(rawFrames: readonly Buffer[]): Frame[] {
    const out: Frame[] = [];
    for (const raw of rawFrames) {
      const event = parseSseBlock(raw.toString('utf8'));
      if (event === undefined) {
        if (this.sameDialect) out.push(raw);
        continue;
      }
      const events = this.decoder.decode(event);
      for (const canonical of events) this.observe(canonical);
      if (this.sameDialect) out.push(raw);
      else for (const canonical of events) this.encode(canonical, out);
    }
    return out;
  }

  private observe(event: ChatStreamEvent): void {
    switch (event.type) {
      case 'text':
      case 'tool_call_start':
      case 'tool_call_delta':
        this.contentSeen = true;
        return;
      case 'finish':
        this.contentSeen = true;
        this.finished = true;
        return;
      case 'usage':
        this.usage = event.usage;
        return;
      case 'end':
        this.ended = true;
        return;
      case 'start':
        return;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  private encode(event: ChatStreamEvent, out: Frame[]): void {
    const text = this.options.clientEncoder?.encode(event) ?? '';
    if (text !== '') out.push(text);
  }

  /** Completes an answer whose upstream finished but sent no terminator. */
  private finish(): Frame[] {
    this.ended = true;
    if (this.sameDialect) return [terminators[this.options.clientCodec.dialect]];
    const out: Frame[] = [];
    this.encode({ type: 'end' }, out);
    return out;
  }

  private arm(milliseconds: number): void {
    this.disarm();
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
      return new GatewayError('upstream_timeout', `The upstream stream stalled waiting for the ${waitingFor}.`);
    }
    const normalized = normalizeError(error);
    return normalized.code === 'internal_error'
      ? new GatewayError('stream_interrupted', 'The upstream connection was lost during the answer.', { cause: error })
      : normalized;
  }
}
