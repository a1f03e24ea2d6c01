import { anthropicTextBlock } from '../../dialects/index.js';
import { removalNote } from './firewall-note.js';
import { isObject, objectsIn, textOf, type JsonObject } from './json-values.js';
import { passes, type ModelToolCall, type ToolCallVerdict } from './tool-call-verdict.js';

/**
 * The firewall over an Anthropic message (JSON): its `tool_use` blocks are judged together; those
 * that do not pass are taken out, a text block with a note is added at the end, and a `tool_use`
 * stop with no call left becomes `end_turn`. Server tools (`server_tool_use`) ran at the provider
 * already and are left alone. The body is changed in place.
 */

export function anthropicCallOf(block: JsonObject, argumentsText?: string): ModelToolCall {
  return {
    id: textOf(block.id),
    name: textOf(block.name),
    arguments: argumentsText ?? JSON.stringify(block.input ?? {}),
  };
}

export async function reviewAnthropicMessage(
  body: JsonObject,
  judge: (call: ModelToolCall) => Promise<ToolCallVerdict>,
): Promise<readonly ToolCallVerdict[]> {
  if (!Array.isArray(body.content)) return [];
  const content: unknown[] = body.content;
  const uses = objectsIn(content).filter((block) => block.type === 'tool_use');
  if (uses.length === 0) return [];
  const verdicts = await Promise.all(uses.map((block) => judge(anthropicCallOf(block))));
  const refused = new Set(
    uses.filter((_, index) => verdicts[index] === undefined || !passes(verdicts[index])),
  );
  if (refused.size === 0) return verdicts;
  const kept = content.filter((block) => !(isObject(block) && refused.has(block)));
  kept.push(anthropicTextBlock(removalNote(verdicts)));
  body.content = kept;
  if (refused.size === uses.length && body.stop_reason === 'tool_use') body.stop_reason = 'end_turn';
  return verdicts;
}
