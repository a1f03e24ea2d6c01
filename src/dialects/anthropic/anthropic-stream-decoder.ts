import type { ChatStreamEvent } from '../../llm/index.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { isPresent, isRecord } from '../shared/validation.js';
import { compact, nowSeconds, parseEventData, readNumber, readRecord, readString } from '../shared/wire.js';
import { anthropicStreamFailure } from './anthropic-errors.js';
import { decodeAnthropicStopReason, decodeAnthropicUsage } from './anthropic-response.js';

const provider = 'The Anthropic upstream';

/**
 * Messages stream events to canonical events. Content blocks are numbered across text and tool
 * use; canonical tool calls are numbered among tool calls only, as OpenAI numbers them. Thinking
 * and server-tool blocks are skipped, and so are unknown events (`ping`, future additions).
 */
export class AnthropicStreamDecoder implements StreamDecoder {
  private readonly toolIndexByBlock = new Map<number, number>();
  /** Blocks of the structured-output tool: their input JSON streams as the answer's text. */
  private readonly outputBlocks = new Set<number>();

  /** `outputTool`: the forced tool that stands for the request's structured output, if any. */
  constructor(private readonly outputTool?: string) {}

  /** `message_start` usage, to be completed by `message_delta`. */
  private usage: Record<string, unknown> = {};

  decode(event: SseEvent): readonly ChatStreamEvent[] {
    if (event.data.trim() === '') return [];
    const payload = parseEventData(event.data, provider);
    switch (readString(payload.type) ?? event.event) {
      case 'message_start':
        return [this.start(readRecord(payload.message))];
      case 'content_block_start':
        return this.blockStart(readNumber(payload.index) ?? 0, readRecord(payload.content_block));
      case 'content_block_delta':
        return this.blockDelta(readNumber(payload.index) ?? 0, readRecord(payload.delta));
      case 'message_delta':
        return this.messageDelta(readRecord(payload.delta), payload.usage);
      case 'message_stop':
        return [{ type: 'end' }];
      case 'error':
        throw anthropicStreamFailure(payload);
      default:
        return [];
    }
  }

  private start(message: Record<string, unknown>): ChatStreamEvent {
    this.usage = { ...readRecord(message.usage) };
    return compact({
      type: 'start' as const,
      id: readString(message.id) ?? '',
      model: readString(message.model) ?? '',
      created: nowSeconds(),
      usage: decodeAnthropicUsage(message.usage),
    });
  }

  private blockStart(blockIndex: number, block: Record<string, unknown>): ChatStreamEvent[] {
    if (block.type === 'text') {
      const text = readString(block.text) ?? '';
      return text === '' ? [] : [{ type: 'text', choice: 0, text }];
    }
    if (block.type !== 'tool_use') return [];
    if (this.outputTool !== undefined && block.name === this.outputTool) {
      this.outputBlocks.add(blockIndex);
      const filled = isRecord(block.input) && Object.keys(block.input).length > 0;
      return filled ? [{ type: 'text', choice: 0, text: JSON.stringify(block.input) }] : [];
    }
    const index = this.toolIndexByBlock.size;
    this.toolIndexByBlock.set(blockIndex, index);
    const events: ChatStreamEvent[] = [
      {
        type: 'tool_call_start',
        choice: 0,
        index,
        id: readString(block.id) ?? '',
        name: readString(block.name) ?? '',
      },
    ];
    // The input normally streams as JSON deltas after an empty `{}`; a filled one is sent whole.
    if (isRecord(block.input) && Object.keys(block.input).length > 0) {
      events.push({ type: 'tool_call_delta', choice: 0, index, arguments: JSON.stringify(block.input) });
    }
    return events;
  }

  private blockDelta(blockIndex: number, delta: Record<string, unknown>): ChatStreamEvent[] {
    if (delta.type === 'text_delta') {
      const text = readString(delta.text) ?? '';
      return text === '' ? [] : [{ type: 'text', choice: 0, text }];
    }
    const json = readString(delta.partial_json) ?? '';
    if (this.outputBlocks.has(blockIndex)) {
      return delta.type === 'input_json_delta' && json !== ''
        ? [{ type: 'text', choice: 0, text: json }]
        : [];
    }
    const index = this.toolIndexByBlock.get(blockIndex);
    if (delta.type !== 'input_json_delta' || index === undefined || json === '') return [];
    return [{ type: 'tool_call_delta', choice: 0, index, arguments: json }];
  }

  /** `message_delta` usage is cumulative; fields it leaves out or null keep their start values. */
  private messageDelta(delta: Record<string, unknown>, usage: unknown): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    const stopReason = decodeAnthropicStopReason(delta.stop_reason);
    // The forced output tool ends the answer; nothing waits for a tool result.
    const reason = stopReason === 'tool_use' && this.outputBlocks.size > 0 ? 'end' : stopReason;
    if (reason !== null) {
      events.push(
        compact({
          type: 'finish' as const,
          choice: 0,
          reason,
          stopSequence: readString(delta.stop_sequence),
        }),
      );
    }
    if (isRecord(usage)) {
      for (const [key, value] of Object.entries(usage)) if (isPresent(value)) this.usage[key] = value;
      const merged = decodeAnthropicUsage(this.usage);
      if (merged !== undefined) events.push({ type: 'usage', usage: merged });
    }
    return events;
  }
}
