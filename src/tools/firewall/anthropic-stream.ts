import { anthropicTextBlock, type SseEvent } from '../../dialects/index.js';
import { anthropicCallOf } from './anthropic-answer.js';
import { removalNote } from './firewall-note.js';
import { isObject, textOf, type JsonObject } from './json-values.js';
import type { StreamJudging } from './openai-stream.js';
import { sseText, type Piece, type StreamRewriter } from './stream-pump.js';
import { passes, type ToolCallVerdict } from './tool-call-verdict.js';

/**
 * The firewall over an Anthropic message stream. A `tool_use` block's events (its start, its
 * `input_json_delta`s, its stop) are held until the block stops, then judged; the block goes out
 * whole under the next free content-block index, or not at all, and every later block is
 * renumbered to match. Before `message_delta` a text block with the note on what was taken out is
 * added, and `stop_reason: tool_use` with no call left becomes `end_turn`.
 */

interface OpenBlock {
  readonly start: JsonObject;
  readonly deltas: JsonObject[];
  partialJson: string;
}

function eventText(name: string, data: JsonObject): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The event's data with its `index` replaced, members in their order. */
function withIndex(data: JsonObject, index: number): JsonObject {
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(data)) copy[key] = key === 'index' ? index : value;
  return copy;
}

export function createAnthropicStreamRewriter(judging: StreamJudging): StreamRewriter {
  let touched = false;
  let terminated = false;
  const open = new Map<number, OpenBlock>();
  /** Tool blocks already judged: a late event of one is dropped. */
  const judged = new Set<number>();
  // Written side, in order: the index each block went out under, the next free one, the verdicts.
  const written = new Map<number, number>();
  let nextIndex = 0;
  let kept = 0;
  const verdicts: ToolCallVerdict[] = [];

  const guarded = (text: string): string => (terminated ? '' : text);
  const later = (render: () => string): Piece => ({ render: () => guarded(render()) });

  function released(block: OpenBlock, verdict: ToolCallVerdict): string {
    verdicts.push(verdict);
    if (!passes(verdict)) {
      const refusal = judging.refusalFrame(verdict);
      if (refusal !== undefined) terminated = true;
      return refusal ?? '';
    }
    const index = nextIndex;
    nextIndex += 1;
    kept += 1;
    return [
      eventText('content_block_start', withIndex(block.start, index)),
      ...block.deltas.map((delta) => eventText('content_block_delta', withIndex(delta, index))),
      eventText('content_block_stop', { type: 'content_block_stop', index }),
    ].join('');
  }

  function close(index: number, block: OpenBlock): Piece {
    open.delete(index);
    judged.add(index);
    const content = isObject(block.start.content_block) ? block.start.content_block : {};
    const call = anthropicCallOf(content, block.deltas.length === 0 ? undefined : block.partialJson);
    let verdict: ToolCallVerdict | undefined;
    const until = judging.judge(call).then((settled) => {
      verdict = settled;
    });
    return { until, render: () => (terminated || verdict === undefined ? '' : released(block, verdict)) };
  }

  const closeAll = (): Piece[] =>
    [...open.entries()].sort(([left], [right]) => left - right).map(([index, block]) => close(index, block));

  /** A block that is not a tool call: out under its new index (the next free one at its start). */
  function passOn(event: SseEvent, data: JsonObject, index: number): Piece {
    return later(() => {
      if (data.type === 'content_block_start') {
        written.set(index, nextIndex);
        nextIndex += 1;
      }
      return eventText(event.event ?? textOf(data.type), withIndex(data, written.get(index) ?? index));
    });
  }

  function messageDelta(event: SseEvent, data: JsonObject): string {
    let note = '';
    const text = removalNote(verdicts);
    if (text !== '') {
      const index = nextIndex;
      nextIndex += 1;
      note = [
        eventText('content_block_start', {
          type: 'content_block_start',
          index,
          content_block: anthropicTextBlock(''),
        }),
        eventText('content_block_delta', {
          type: 'content_block_delta',
          index,
          delta: { type: 'text_delta', text },
        }),
        eventText('content_block_stop', { type: 'content_block_stop', index }),
      ].join('');
    }
    const delta = isObject(data.delta) ? data.delta : undefined;
    if (delta === undefined || delta.stop_reason !== 'tool_use' || kept > 0 || verdicts.length === 0)
      return note + sseText(event);
    return (
      note +
      eventText(event.event ?? 'message_delta', { ...data, delta: { ...delta, stop_reason: 'end_turn' } })
    );
  }

  function push(event: SseEvent): readonly Piece[] {
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      return [later(() => sseText(event))];
    }
    if (!isObject(parsed)) return [later(() => sseText(event))];
    const data = parsed;
    const index = typeof data.index === 'number' ? data.index : 0;
    switch (data.type) {
      case 'content_block_start': {
        if (isObject(data.content_block) && data.content_block.type === 'tool_use') {
          touched = true;
          open.set(index, { start: data, deltas: [], partialJson: '' });
          return [];
        }
        return [passOn(event, data, index)];
      }
      case 'content_block_delta': {
        const block = open.get(index);
        if (block !== undefined) {
          block.deltas.push(data);
          if (isObject(data.delta)) block.partialJson += textOf(data.delta.partial_json);
          return [];
        }
        return judged.has(index) ? [] : [passOn(event, data, index)];
      }
      case 'content_block_stop': {
        const block = open.get(index);
        if (block !== undefined) return [close(index, block)];
        return judged.has(index) ? [] : [passOn(event, data, index)];
      }
      case 'message_delta':
        return [...closeAll(), later(() => messageDelta(event, data))];
      case 'error':
        // The stream failed: blocks still open are cut short and go nowhere.
        for (const key of open.keys()) judged.add(key);
        open.clear();
        return [later(() => sseText(event))];
      default:
        return [later(() => sseText(event))];
    }
  }

  return {
    // Block starts are always read, so that the index each block goes out under is known; the
    // deltas, the bulk of a stream, go on byte for byte until a tool call appears.
    passes: (text) => !touched && !text.includes('tool_use') && !text.includes('content_block_start'),
    push,
    end: closeAll,
  };
}
