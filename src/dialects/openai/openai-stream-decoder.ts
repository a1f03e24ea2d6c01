import type { ChatStreamEvent } from '../../llm/index.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { isPresent } from '../shared/validation.js';
import { nowSeconds, parseEventData, readArray, readNumber, readRecord, readString } from '../shared/wire.js';
import { openaiStreamFailure } from './openai-errors.js';
import { decodeOpenaiFinishReason, decodeOpenaiUsage } from './openai-response.js';

const provider = 'The OpenAI-compatible upstream';

/** Chat Completions chunks (`data:` frames, ended by `data: [DONE]`) to canonical events. */
export class OpenaiStreamDecoder implements StreamDecoder {
  private started = false;
  /** Ids of the tool calls announced so far, per choice, by index: later deltas carry only arguments. */
  private readonly toolCallIds = new Map<number, string[]>();

  decode(event: SseEvent): readonly ChatStreamEvent[] {
    const data = event.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') return [{ type: 'end' }];
    const chunk = parseEventData(data, provider);
    if (isPresent(chunk.error)) throw openaiStreamFailure(chunk.error);
    if (event.event === 'error') throw openaiStreamFailure(chunk);
    const choices = readArray(chunk.choices);
    const usage = decodeOpenaiUsage(chunk.usage);
    // Azure opens with a chunk of content-filter results only: no choices, no id, nothing to say.
    if (choices.length === 0 && usage === undefined) return [];
    const events: ChatStreamEvent[] = [];
    if (!this.started) {
      this.started = true;
      events.push({
        type: 'start',
        id: readString(chunk.id) ?? '',
        model: readString(chunk.model) ?? '',
        created: readNumber(chunk.created) ?? nowSeconds(),
      });
    }
    for (const choice of choices) events.push(...this.decodeChoice(readRecord(choice)));
    if (usage !== undefined) events.push({ type: 'usage', usage });
    return events;
  }

  private decodeChoice(choice: Record<string, unknown>): ChatStreamEvent[] {
    const index = readNumber(choice.index) ?? 0;
    const delta = readRecord(choice.delta);
    const events: ChatStreamEvent[] = [];
    const text = readString(delta.content);
    if (text !== undefined && text !== '') events.push({ type: 'text', choice: index, text });
    // Canonical streams have no refusal channel; the refusal is what the model said.
    const refusal = readString(delta.refusal);
    if (refusal !== undefined && refusal !== '') events.push({ type: 'text', choice: index, text: refusal });
    readArray(delta.tool_calls).forEach((value, position) => {
      events.push(...this.decodeToolCall(readRecord(value), index, position));
    });
    const reason = decodeOpenaiFinishReason(choice.finish_reason);
    if (reason !== null) events.push({ type: 'finish', choice: index, reason });
    return events;
  }

  private decodeToolCall(call: Record<string, unknown>, choice: number, position: number): ChatStreamEvent[] {
    const ids = this.toolCallIds.get(choice) ?? [];
    this.toolCallIds.set(choice, ids);
    const index = toolCallIndex(call, ids, position);
    const target = readRecord(call.function);
    const events: ChatStreamEvent[] = [];
    if (ids[index] === undefined) {
      const id = readString(call.id) ?? `call_${choice}_${index}`;
      ids[index] = id;
      events.push({ type: 'tool_call_start', choice, index, id, name: readString(target.name) ?? '' });
    }
    const argumentsText = readString(target.arguments);
    if (argumentsText !== undefined && argumentsText !== '') {
      events.push({ type: 'tool_call_delta', choice, index, arguments: argumentsText });
    }
    return events;
  }
}

/**
 * Some OpenAI-compatible servers leave out `index` and send each call whole; then a new id means a
 * new call, and a delta without id continues the latest one.
 */
function toolCallIndex(call: Record<string, unknown>, ids: readonly string[], position: number): number {
  const index = readNumber(call.index);
  if (index !== undefined) return index;
  const id = readString(call.id);
  if (id === undefined) return ids.length > 0 ? ids.length - 1 : position;
  const known = ids.indexOf(id);
  return known === -1 ? ids.length : known;
}
