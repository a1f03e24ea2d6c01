import type { DialectCodec } from '../dialects/codec.js';
import type { ChatResponse, ChatStreamEvent } from '../llm/index.js';

export interface ReplayOptions {
  /** OpenAI: the caller asked for the usage chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
  /** Characters of text (or tool arguments) per stream event. */
  readonly chunkCharacters: number;
}

/**
 * A cached answer as the caller's dialect writes it: a JSON body, or complete SSE frames. Both are
 * rendered whole before anything is sent, so that an answer the dialect cannot express (tool
 * arguments that are not a JSON object, for an Anthropic caller) is found out while the request can
 * still go upstream instead. Throws a GatewayError in that case.
 */
export function replayJson(codec: DialectCodec, response: ChatResponse): Buffer {
  return Buffer.from(JSON.stringify(codec.encodeChatResponse(response)));
}

/** Frames batched into strings of about this size: fewer writes, each still whole frames. */
const batchCharacters = 16 * 1024;

export function replayStream(codec: DialectCodec, response: ChatResponse, options: ReplayOptions): string[] {
  const encoder = codec.createStreamEncoder({ includeUsage: options.includeUsage, model: response.model });
  const batches: string[] = [];
  let batch = '';
  for (const event of replayEvents(response, options.chunkCharacters)) {
    batch += encoder.encode(event);
    if (batch.length >= batchCharacters) {
      batches.push(batch);
      batch = '';
    }
  }
  if (batch !== '') batches.push(batch);
  return batches;
}

/** The canonical events a stream of this answer would have carried, one choice after another. */
export function replayEvents(response: ChatResponse, chunkCharacters: number): ChatStreamEvent[] {
  const usage = response.usage;
  const events: ChatStreamEvent[] = [
    {
      type: 'start',
      id: response.id,
      model: response.model,
      created: response.created,
      // Anthropic's `message_start` reports the input side before any output.
      ...(usage === undefined
        ? {}
        : {
            usage: {
              inputTokens: usage.inputTokens,
              cachedInputTokens: usage.cachedInputTokens,
              cacheCreationInputTokens: usage.cacheCreationInputTokens,
            },
          }),
    },
  ];
  for (const choice of response.choices) {
    let toolIndex = 0;
    for (const part of choice.content) {
      if (part.type === 'text') {
        for (const text of chunks(part.text, chunkCharacters))
          events.push({ type: 'text', choice: choice.index, text });
        continue;
      }
      const index = toolIndex++;
      events.push({ type: 'tool_call_start', choice: choice.index, index, id: part.id, name: part.name });
      for (const text of chunks(part.arguments, chunkCharacters)) {
        events.push({ type: 'tool_call_delta', choice: choice.index, index, arguments: text });
      }
    }
    // Streams have no refusal channel: the refusal is what the model said.
    if (choice.refusal !== undefined) {
      for (const text of chunks(choice.refusal, chunkCharacters))
        events.push({ type: 'text', choice: choice.index, text });
    }
    if (choice.finishReason !== null) {
      events.push({
        type: 'finish',
        choice: choice.index,
        reason: choice.finishReason,
        ...(choice.stopSequence === undefined ? {} : { stopSequence: choice.stopSequence }),
      });
    }
  }
  if (usage !== undefined) events.push({ type: 'usage', usage });
  events.push({ type: 'end' });
  return events;
}

/** Splits text into pieces of about `size` UTF-16 units, never between the halves of a surrogate pair. */
export function* chunks(text: string, size: number): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(text.length, start + Math.max(1, size));
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end += 1;
    yield text.slice(start, end);
    start = end;
  }
}

/** The frames as the async iterable the pipeline writes; nothing to cancel when the caller leaves. */
export function framesOf(batches: readonly string[]): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]() {
      let position = 0;
      const done: IteratorResult<string> = { done: true, value: undefined };
      return {
        next: () => {
          const value = batches[position];
          position++;
          return Promise.resolve(value === undefined ? done : { done: false, value });
        },
        return: () => {
          position = batches.length;
          return Promise.resolve(done);
        },
      };
    },
  };
}
