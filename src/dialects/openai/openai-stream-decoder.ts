import type { ChatStreamEvent } from '../../llm/index.js';
import type { SseEvent, StreamDecoder } from '../codec.js';
import { EventTemplate, type TemplateSlot } from '../shared/event-template.js';
import { isPresent } from '../shared/validation.js';
import { nowSeconds, parseEventData, readArray, readNumber, readRecord, readString } from '../shared/wire.js';
import { openaiStreamFailure } from './openai-errors.js';
import { decodeOpenaiFinishReason, decodeOpenaiUsage } from './openai-response.js';

const provider = 'The OpenAI-compatible upstream';

/** The text of a chunk's one choice, and OpenAI's per-chunk random padding (nothing to read). */
const contentSlot: TemplateSlot = {
  key: 'content',
  read: (chunk) => readRecord(readRecord(readArray(chunk.choices)[0]).delta).content,
};
const obfuscationSlot: TemplateSlot = { key: 'obfuscation', read: (chunk) => chunk.obfuscation };
/** A stream whose chunks keep changing elsewhere stops trying to learn a template after this. */
const maxTemplatesLearnt = 3;

/** Chat Completions chunks (`data:` frames, ended by `data: [DONE]`) to canonical events. */
export class OpenaiStreamDecoder implements StreamDecoder {
  private started = false;
  /** Ids of the tool calls announced so far, per choice, by index: later deltas carry only arguments. */
  private readonly toolCallIds = new Map<number, string[]>();
  /** A chunk of text only, parsed in full: later ones differing only in their text need no parse. */
  private template: { readonly template: EventTemplate; readonly choice: number } | undefined;
  private templatesLearnt = 0;

  decode(event: SseEvent): readonly ChatStreamEvent[] {
    const data = event.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') return [{ type: 'end' }];
    if (this.template !== undefined && event.event === undefined) {
      const text = this.template.template.read(data);
      if (text !== undefined)
        return text === '' ? [] : [{ type: 'text', choice: this.template.choice, text }];
    }
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
    else if (event.event === undefined) this.learn(data, chunk, events);
    return events;
  }

  /**
   * Remembers a chunk that said one piece of text and nothing else (no finish, no usage, no tool
   * call): the next chunks of the answer are mostly the same bytes with other text.
   */
  private learn(data: string, chunk: Record<string, unknown>, events: readonly ChatStreamEvent[]): void {
    const last = events[events.length - 1];
    if (last?.type !== 'text' || this.templatesLearnt >= maxTemplatesLearnt) return;
    const choices = readArray(chunk.choices);
    const delta = readRecord(readRecord(choices[0]).delta);
    if (choices.length !== 1 || Object.keys(delta).length !== 1 || typeof delta.content !== 'string') return;
    this.templatesLearnt++;
    const template = EventTemplate.learn(data, chunk, contentSlot, [obfuscationSlot]);
    this.template = template === undefined ? undefined : { template, choice: last.choice };
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
