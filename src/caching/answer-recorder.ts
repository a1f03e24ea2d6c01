import type { DialectCodec, StreamDecoder } from '../dialects/codec.js';
import { parseSseBlock } from '../dialects/sse-parser.js';
import type { ChatResponse, Usage } from '../llm/index.js';
import { AnswerAssembler, storableResponse, type Assembled } from './answer-assembler.js';

export type Frame = Uint8Array | string;

/** What a finished stream reports about itself (routing's `StreamSummary` has this shape). */
export interface StreamEnding {
  readonly complete: boolean;
  readonly usage: Usage | undefined;
}

export type RecordOutcome =
  { readonly type: 'stored' } | { readonly type: 'skipped'; readonly reason: string };

/** Stores a complete answer; resolves with what happened. Never rejects. */
export type StoreAnswer = (response: ChatResponse) => Promise<RecordOutcome>;

/** Reads a non-streaming answer in the caller's dialect and stores it if it is complete. */
export async function recordJsonAnswer(
  codec: DialectCodec,
  body: Buffer | string,
  store: StoreAnswer,
): Promise<RecordOutcome> {
  let assembled: Assembled;
  try {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    assembled = storableResponse(codec.decodeChatResponse(JSON.parse(text)));
  } catch {
    return { type: 'skipped', reason: 'undecodable' };
  }
  return assembled.type === 'complete' ? storeSafely(store, assembled.response) : skipped(assembled.reason);
}

/**
 * Passes the caller's frames through untouched while reading them, and stores the answer once the
 * stream has ended with its terminator, a finish reason for every choice, and a summary that
 * calls it complete. A stream that fails, ends early, carries an in-band error, or whose reader
 * stops (the caller left) is never stored. Recording never disturbs the stream: a frame it cannot
 * read only ends the recording.
 */
export function recordStreamAnswer(options: {
  readonly codec: DialectCodec;
  readonly frames: AsyncIterable<Frame>;
  readonly ending: PromiseLike<StreamEnding>;
  readonly maxCharacters: number;
  readonly store: StoreAnswer;
}): { readonly frames: AsyncIterable<Frame>; readonly recorded: Promise<RecordOutcome> } {
  const decoder = options.codec.createStreamDecoder();
  const assembler = new AnswerAssembler(options.maxCharacters);
  let failure: string | undefined;
  let settle: (outcome: Promise<RecordOutcome> | RecordOutcome) => void = () => undefined;
  const recorded = new Promise<RecordOutcome>((resolve) => {
    settle = resolve;
  });

  async function finish(): Promise<RecordOutcome> {
    if (failure !== undefined) return skipped(failure);
    let ending: StreamEnding;
    try {
      ending = await options.ending;
    } catch {
      return skipped('no_summary');
    }
    if (!ending.complete) return skipped('incomplete');
    const assembled = assembler.result(ending.usage);
    return assembled.type === 'complete'
      ? storeSafely(options.store, assembled.response)
      : skipped(assembled.reason);
  }

  async function* relay(): AsyncGenerator<Frame> {
    let drained = false;
    try {
      for await (const frame of options.frames) {
        failure ??= read(decoder, assembler, frame);
        yield frame;
      }
      drained = true;
    } finally {
      settle(drained ? finish() : skipped('not_finished'));
    }
  }

  return { frames: relay(), recorded };
}

/** Feeds one frame (one or more complete SSE events) to the assembler; a reason if it cannot. */
function read(decoder: StreamDecoder, assembler: AnswerAssembler, frame: Frame): string | undefined {
  const text =
    typeof frame === 'string'
      ? frame
      : Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8');
  try {
    for (const block of text.split(/\r?\n\r?\n/)) {
      const event = parseSseBlock(block);
      // Comments (keep-alives) and blank remainders carry no event.
      if (event === undefined) continue;
      for (const canonical of decoder.decode(event)) assembler.add(canonical);
    }
    return undefined;
  } catch {
    // Decoders throw on in-band error events as on malformed ones: either way, nothing to keep.
    return 'stream_error';
  }
}

/** Nobody may be waiting on a recording, so it must never reject: that would be an unhandled rejection. */
async function storeSafely(store: StoreAnswer, response: ChatResponse): Promise<RecordOutcome> {
  try {
    return await store(response);
  } catch {
    return skipped('store_failed');
  }
}

function skipped(reason: string): RecordOutcome {
  return { type: 'skipped', reason };
}
