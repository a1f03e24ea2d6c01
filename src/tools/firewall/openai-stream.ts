import type { SseEvent } from '../../dialects/index.js';
import { removalNote } from './firewall-note.js';
import { isObject, objectsIn, textOf, type JsonObject } from './json-values.js';
import { legacyCallId } from './openai-answer.js';
import { sseText, type Piece, type StreamRewriter } from './stream-pump.js';
import { passes, type ModelToolCall, type ToolCallVerdict } from './tool-call-verdict.js';

/**
 * The firewall over an OpenAI chat completion stream. A tool call's deltas (by their `index`) are
 * held until the call is complete — when a call with a higher index starts, or the choice
 * finishes — then judged; the call goes out as one delta under the next free index, or not at
 * all. Text and everything else flow as they come. Before a choice's finish the note on what
 * was taken out goes out as text, and `finish_reason: tool_calls` with no call left becomes `stop`.
 */

export interface StreamJudging {
  readonly judge: (call: ModelToolCall) => Promise<ToolCallVerdict>;
  /** The frame that ends the stream for a refused call under `on_deny: error`; undefined: remove. */
  readonly refusalFrame: (verdict: ToolCallVerdict) => string | undefined;
}

interface OpenCall {
  /** `tool_calls` entries of function or custom tools, or the legacy `function_call`. */
  readonly kind: 'function' | 'custom' | 'legacy';
  readonly index: number;
  readonly id: string;
  readonly name: string;
  argumentsText: string;
  /** The chunk the call began in: the envelope (id, model, created, ...) its delta goes out in. */
  readonly chunk: JsonObject;
}

interface ChoiceState {
  readonly index: number;
  readonly open: Map<number, OpenCall>;
  /** Indices of calls already judged: a late delta of one is dropped (what was judged goes out). */
  readonly judged: Set<number>;
  legacy: OpenCall | undefined;
  sawText: boolean;
  // Written side: in order, as pieces are written.
  readonly verdicts: ToolCallVerdict[];
  kept: number;
  legacyKept: boolean;
}

/** A delta with text in it (a JSON string member `content` that is not empty). */
const nonEmptyContent = /"content":\s*"(?!")/;

function chunkWith(chunk: JsonObject, choice: JsonObject): string {
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(chunk)) copy[key] = key === 'choices' ? [choice] : value;
  return `data: ${JSON.stringify(copy)}\n\n`;
}

function argumentsPart(entry: JsonObject): string {
  if (isObject(entry.function)) return textOf(entry.function.arguments);
  return isObject(entry.custom) ? textOf(entry.custom.input) : '';
}

function modelCall(call: OpenCall): ModelToolCall {
  return { id: call.id, name: call.name, arguments: call.argumentsText };
}

export function createOpenaiStreamRewriter(judging: StreamJudging): StreamRewriter {
  /** A tool call appeared: from then on every event is parsed and written in order. */
  let touched = false;
  let terminated = false;
  /** Text of some choice went on unread (before any tool call). */
  let textPassed = false;
  const choices = new Map<number, ChoiceState>();

  const written = (text: string): string => (terminated ? '' : text);
  const later = (render: () => string): Piece => ({ render: () => written(render()) });

  function stateOf(index: number): ChoiceState {
    let state = choices.get(index);
    if (state === undefined) {
      state = {
        index,
        open: new Map(),
        judged: new Set(),
        legacy: undefined,
        sawText: false,
        verdicts: [],
        kept: 0,
        legacyKept: false,
      };
      choices.set(index, state);
    }
    return state;
  }

  function released(state: ChoiceState, call: OpenCall, verdict: ToolCallVerdict): string {
    state.verdicts.push(verdict);
    if (!passes(verdict)) {
      const refusal = judging.refusalFrame(verdict);
      if (refusal !== undefined) terminated = true;
      return refusal ?? '';
    }
    const choice = (delta: JsonObject) => ({
      index: state.index,
      delta,
      logprobs: null,
      finish_reason: null,
    });
    if (call.kind === 'legacy') {
      state.legacyKept = true;
      return chunkWith(
        call.chunk,
        choice({ function_call: { name: call.name, arguments: call.argumentsText } }),
      );
    }
    const index = state.kept;
    state.kept += 1;
    const entry =
      call.kind === 'custom'
        ? { index, id: call.id, type: 'custom', custom: { name: call.name, input: call.argumentsText } }
        : {
            index,
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.argumentsText },
          };
    return chunkWith(call.chunk, choice({ tool_calls: [entry] }));
  }

  /** The call is complete: judged now, written at its turn. */
  function close(state: ChoiceState, call: OpenCall): Piece {
    if (call.kind === 'legacy') state.legacy = undefined;
    else {
      state.open.delete(call.index);
      state.judged.add(call.index);
    }
    let verdict: ToolCallVerdict | undefined;
    const until = judging.judge(modelCall(call)).then((settled) => {
      verdict = settled;
    });
    return {
      until,
      render: () => (terminated || verdict === undefined ? '' : released(state, call, verdict)),
    };
  }

  function closeChoice(state: ChoiceState): Piece[] {
    const calls = [...state.open.values()].sort((left, right) => left.index - right.index);
    if (state.legacy !== undefined) calls.push(state.legacy);
    return calls.map((call) => close(state, call));
  }

  function toolDelta(state: ChoiceState, chunk: JsonObject, entry: JsonObject): Piece[] {
    const index = typeof entry.index === 'number' ? entry.index : 0;
    const open = state.open.get(index);
    if (open !== undefined) {
      open.argumentsText += argumentsPart(entry);
      return [];
    }
    if (state.judged.has(index)) return [];
    // A new call: every call before it is complete.
    const pieces = [...state.open.values()]
      .filter((call) => call.index < index)
      .sort((left, right) => left.index - right.index)
      .map((call) => close(state, call));
    const definition = isObject(entry.function) ? entry.function : isObject(entry.custom) ? entry.custom : {};
    state.open.set(index, {
      index,
      id: textOf(entry.id),
      name: textOf(definition.name),
      kind: isObject(entry.custom) ? 'custom' : 'function',
      argumentsText: argumentsPart(entry),
      chunk,
    });
    return pieces;
  }

  function legacyDelta(state: ChoiceState, chunk: JsonObject, delta: JsonObject): void {
    if (!isObject(delta.function_call)) return;
    const part = delta.function_call;
    if (state.legacy === undefined)
      state.legacy = {
        kind: 'legacy',
        index: -1,
        id: legacyCallId,
        name: textOf(part.name),
        argumentsText: textOf(part.arguments),
        chunk,
      };
    else state.legacy.argumentsText += textOf(part.arguments);
  }

  /** The choice's chunk without its tool-call parts; at the finish, the note first. */
  function rest(state: ChoiceState, chunk: JsonObject, choice: JsonObject, delta: JsonObject): string {
    const finish = choice.finish_reason;
    let note = '';
    let finishReason = finish;
    if (finish !== null && finish !== undefined) {
      const text = removalNote(state.verdicts);
      if (text !== '')
        note = chunkWith(chunk, {
          index: state.index,
          delta: { content: state.sawText || textPassed ? `\n\n${text}` : text },
          logprobs: null,
          finish_reason: null,
        });
      const callsLeft = state.kept > 0 || state.legacyKept;
      if (!callsLeft && (finish === 'tool_calls' || finish === 'function_call')) finishReason = 'stop';
    }
    const copy: JsonObject = {};
    for (const [key, value] of Object.entries(choice))
      copy[key] = key === 'delta' ? delta : key === 'finish_reason' ? finishReason : value;
    return note + chunkWith(chunk, copy);
  }

  function choicePieces(chunk: JsonObject, choice: JsonObject): Piece[] {
    const state = stateOf(typeof choice.index === 'number' ? choice.index : 0);
    const delta = isObject(choice.delta) ? choice.delta : {};
    const entries = objectsIn(delta.tool_calls);
    const calling = entries.length > 0 || isObject(delta.function_call);
    if (calling) touched = true;
    if (typeof delta.content === 'string' && delta.content !== '') state.sawText = true;
    const pieces = entries.flatMap((entry) => toolDelta(state, chunk, entry));
    legacyDelta(state, chunk, delta);
    const others: JsonObject = {};
    for (const [key, value] of Object.entries(delta))
      if (key !== 'tool_calls' && key !== 'function_call') others[key] = value;
    const finished = choice.finish_reason !== null && choice.finish_reason !== undefined;
    if (finished) pieces.push(...closeChoice(state));
    // A delta that only carried call pieces has nothing left to say; the role must still go out.
    if (finished || !calling || Object.keys(others).length > 0)
      pieces.push(later(() => rest(state, chunk, choice, others)));
    return pieces;
  }

  const closeAll = (): Piece[] => [...choices.values()].flatMap(closeChoice);

  return {
    passes(text) {
      if (touched || text.includes('tool_calls') || text.includes('function_call')) return false;
      // Text that goes on unread still decides whether the note starts on a new paragraph.
      textPassed ||= nonEmptyContent.test(text);
      return true;
    },
    push(event: SseEvent): readonly Piece[] {
      if (event.data === '[DONE]') return [...closeAll(), later(() => sseText(event))];
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        return [later(() => sseText(event))];
      }
      const chunk = parsed;
      if (!isObject(chunk) || !Array.isArray(chunk.choices) || chunk.choices.length === 0) {
        // The usage chunk, or an in-band error: calls still open are cut short and go nowhere.
        if (isObject(chunk) && chunk.error !== undefined)
          for (const state of choices.values()) {
            for (const index of state.open.keys()) state.judged.add(index);
            state.open.clear();
            state.legacy = undefined;
          }
        return [later(() => sseText(event))];
      }
      return objectsIn(chunk.choices).flatMap((choice) => choicePieces(chunk, choice));
    },
    end: closeAll,
  };
}
