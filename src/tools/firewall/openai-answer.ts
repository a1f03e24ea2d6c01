import { removalNote, withNote } from './firewall-note.js';
import { isObject, objectsIn, textOf, type JsonObject } from './json-values.js';
import { passes, type ModelToolCall, type ToolCallVerdict } from './tool-call-verdict.js';

/**
 * The firewall over an OpenAI chat completion (JSON): every choice's `tool_calls` (function and
 * custom tools) and a legacy `function_call` are judged together; those that do not pass are taken
 * out, the message's text gets a note saying so, and a `tool_calls` finish with no call left
 * becomes `stop`. The body is changed in place.
 */

export const legacyCallId = 'function_call';

/** A tool call entry as the model wrote it: `function` tools, or `custom` tools (free-form input). */
export function openaiCallOf(entry: JsonObject): ModelToolCall {
  const definition = isObject(entry.function) ? entry.function : isObject(entry.custom) ? entry.custom : {};
  return {
    id: textOf(entry.id),
    name: textOf(definition.name),
    arguments: textOf(isObject(entry.custom) ? definition.input : definition.arguments),
  };
}

interface ChoiceCalls {
  readonly choice: JsonObject;
  readonly message: JsonObject;
  readonly entries: readonly { readonly entry: JsonObject; readonly call: ModelToolCall }[];
  readonly legacy: ModelToolCall | undefined;
}

function callsOf(choice: JsonObject): ChoiceCalls | undefined {
  const message = choice.message;
  if (!isObject(message)) return undefined;
  const entries = objectsIn(message.tool_calls).map((entry) => ({ entry, call: openaiCallOf(entry) }));
  const legacy = isObject(message.function_call)
    ? {
        id: legacyCallId,
        name: textOf(message.function_call.name),
        arguments: textOf(message.function_call.arguments),
      }
    : undefined;
  return entries.length === 0 && legacy === undefined ? undefined : { choice, message, entries, legacy };
}

function rewrite(found: ChoiceCalls, verdicts: readonly ToolCallVerdict[]): void {
  const { choice, message, entries, legacy } = found;
  const kept = entries.filter((_, index) => verdicts[index] !== undefined && passes(verdicts[index]));
  if (kept.length === entries.length) {
    // Nothing of the list changes: left exactly as it was.
  } else if (kept.length === 0) delete message.tool_calls;
  else message.tool_calls = kept.map(({ entry }) => entry);
  const legacyVerdict = legacy === undefined ? undefined : verdicts[entries.length];
  const legacyKept = legacyVerdict !== undefined && passes(legacyVerdict);
  if (legacy !== undefined && !legacyKept) delete message.function_call;
  const note = removalNote(verdicts);
  if (
    note !== '' &&
    (message.content === null || message.content === undefined || typeof message.content === 'string')
  )
    message.content = withNote(textOf(message.content), note);
  const callsLeft = kept.length > 0 || legacyKept;
  if (!callsLeft && (choice.finish_reason === 'tool_calls' || choice.finish_reason === 'function_call'))
    choice.finish_reason = 'stop';
}

/** Judges every call of the completion and rewrites it; resolves with the verdicts in order. */
export async function reviewOpenaiCompletion(
  body: JsonObject,
  judge: (call: ModelToolCall) => Promise<ToolCallVerdict>,
): Promise<readonly ToolCallVerdict[]> {
  const found = objectsIn(body.choices)
    .map(callsOf)
    .filter((calls) => calls !== undefined);
  const judged = await Promise.all(
    found.map((calls) =>
      Promise.all([
        ...calls.entries.map(({ call }) => judge(call)),
        ...(calls.legacy === undefined ? [] : [judge(calls.legacy)]),
      ]),
    ),
  );
  found.forEach((calls, index) => rewrite(calls, judged[index] ?? []));
  return judged.flat();
}
