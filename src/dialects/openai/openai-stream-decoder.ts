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
  /** Tool calls already announced, by `choice:index`: later deltas carry only arguments. */
  private readonly announcedToolCalls = new Set<string>();

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
    // Some OpenAI-compatible servers send each call whole and leave out `index`.
    const index = readNumber(call.index) ?? position;
    const target = readRecord(call.function);
    const events: ChatStreamEvent[] = [];
    const key = `${choice}:${index}`;
    if (!this.announcedToolCalls.has(key)) {
      this.announcedToolCalls.add(key);
      events.push({
        type: 'tool_call_start',
        choice,
        index,
        id: readString(call.id) ?? `call_${choice}_${index}`,
        name: readString(target.name) ?? '',
      });
    }
    const argumentsText = readString(target.arguments);
    if (argumentsText !== undefined && argumentsText !== '') {
      events.push({ type: 'tool_call_delta', choice, index, arguments: argumentsText });
    }
    return events;
  }
}
