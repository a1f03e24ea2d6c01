import type { Dialect } from '../../llm/index.js';
import type { MockChatView, MockTool } from './mock-request.js';
import { firstWords, hashText, splitEvenly, splitWords, toHex } from './mock-text.js';
import { generateArguments } from './mock-tool-arguments.js';

/**
 * What the mock answers, before it is written in a dialect. The text depends only on the
 * conversation, never on the model name, so two mock targets give the same answer and one can
 * continue (from an assistant prefill) exactly what the other started.
 */

export type MockFinish = 'end' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface MockToolCall {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  readonly argumentsJson: string;
  /** The argument text as the stream delivers it, in several deltas. */
  readonly argumentPieces: readonly string[];
}

export interface MockChoice {
  readonly index: number;
  /** The answer's text; with tool calls, the sentence before them (empty when there is none). */
  readonly text: string;
  /** The text as the stream delivers it; one piece per output token. */
  readonly pieces: readonly string[];
  /** The tools called, in order (several when the user named several): empty for a text answer. */
  readonly toolCalls: readonly MockToolCall[];
  readonly finish: MockFinish;
  readonly stopSequence?: string;
  readonly outputTokens: number;
}

export interface MockAnswer {
  /** Hex digits derived from the conversation and the model, for response and tool-call ids. */
  readonly idSuffix: string;
  readonly choices: readonly MockChoice[];
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Words in a default answer: about twenty stream events in all, short enough to be fast. */
const answerWords = 16;
const echoedWords = 6;
const fillerWords = [
  'the', 'mock', 'provider', 'answers', 'every', 'request', 'deterministically', 'so', 'tests',
  'and', 'benchmarks', 'can', 'rely', 'on', 'each', 'token', 'it', 'streams', 'back', 'quickly',
  'without', 'calling', 'a', 'real', 'model',
] as const; // prettier-ignore
/** Deltas a tool call's arguments (or a JSON answer) are split into. */
const jsonPieceCount = 6;

function answerText(view: MockChatView, choiceIndex: number, seed: number): string {
  const toolResult = view.toolResultText;
  const source = toolResult ?? view.userText;
  const echo = firstWords(source, echoedWords);
  let text = toolResult === undefined ? 'Mock answer to:' : 'Mock summary of the tool result:';
  let count = toolResult === undefined ? 3 : 6;
  if (echo.words.length === 0) {
    text += ' (empty message)';
    count += 2;
  }
  for (const word of echo.words) text += ` ${word}`;
  count += echo.words.length;
  if (echo.more) text += '...';
  let offset = (seed + choiceIndex * 7) % fillerWords.length;
  for (; count < answerWords; count++) {
    text += ` ${fillerWords[offset] ?? ''}`;
    offset = (offset + 1) % fillerWords.length;
  }
  return `${text}.`;
}

function jsonAnswer(view: MockChatView, choiceIndex: number, seed: number): string | undefined {
  const format = view.responseFormat;
  if (format === undefined) return undefined;
  if (format.type === 'json_schema') return JSON.stringify(generateArguments(format.schema));
  return JSON.stringify({ answer: answerText(view, choiceIndex, seed) });
}

/** Each tool the user's text names, in the order the text first names them. */
function mentionedTools(view: MockChatView): MockTool[] {
  if (view.toolResultText !== undefined || view.prefillText !== undefined) return [];
  return view.tools
    .map((tool) => ({ tool, at: view.userText.indexOf(tool.name) }))
    .filter(({ at }) => at !== -1)
    .sort((left, right) => left.at - right.at)
    .map(({ tool }) => tool);
}

/**
 * The tools an answer calls: the one `tool_choice` names; else every tool the user named (one
 * when parallel calls are off), with `auto` only then; `required` falls back on the first tool.
 */
function chooseTools(view: MockChatView): MockTool[] {
  const choice = view.toolChoice;
  if (choice.type === 'none' || view.tools.length === 0) return [];
  if (choice.type === 'tool') return view.tools.filter((tool) => tool.name === choice.name).slice(0, 1);
  const mentioned = mentionedTools(view);
  const chosen = choice.type === 'required' && mentioned.length === 0 ? view.tools.slice(0, 1) : mentioned;
  return view.parallelToolCalls ? chosen : chosen.slice(0, 1);
}

function earliestStop(text: string, stops: readonly string[]): { at: number; sequence: string } | undefined {
  let found: { at: number; sequence: string } | undefined;
  for (const sequence of stops) {
    const at = text.indexOf(sequence);
    if (at !== -1 && (found === undefined || at < found.at)) found = { at, sequence };
  }
  return found;
}

function textChoice(view: MockChatView, index: number, seed: number): MockChoice {
  const json = jsonAnswer(view, index, seed);
  let text = json ?? answerText(view, index, seed);
  // Continue an assistant prefill faithfully when the mock's own answer begins with it.
  const prefill = view.prefillText;
  if (prefill !== undefined && prefill !== '' && text.startsWith(prefill)) text = text.slice(prefill.length);
  let finish: MockFinish = 'end';
  let stopSequence: string | undefined;
  const stop = earliestStop(text, view.stopSequences);
  if (stop !== undefined) {
    text = text.slice(0, stop.at);
    finish = 'stop_sequence';
    stopSequence = stop.sequence;
  }
  let pieces = json === undefined ? splitWords(text) : splitEvenly(text, jsonPieceCount);
  if (view.maxTokens !== undefined && pieces.length > view.maxTokens) {
    pieces = pieces.slice(0, view.maxTokens);
    text = pieces.join('');
    finish = 'max_tokens';
    stopSequence = undefined;
  }
  return {
    index,
    text,
    pieces,
    toolCalls: [],
    finish,
    ...(stopSequence === undefined ? {} : { stopSequence }),
    outputTokens: pieces.length,
  };
}

function toolCall(tool: MockTool, id: string): MockToolCall {
  const input = generateArguments(tool.parameters);
  const argumentsJson = JSON.stringify(input);
  return {
    id,
    name: tool.name,
    input,
    argumentsJson,
    argumentPieces: splitEvenly(argumentsJson, jsonPieceCount),
  };
}

/**
 * Calls the tools in order. With `auto` the model chose to call them itself, and says so first
 * (as models often do); a required or named call comes without a word.
 */
function toolChoice(
  view: MockChatView,
  tools: readonly MockTool[],
  index: number,
  idPrefix: string,
): MockChoice {
  const calls = tools.map((tool, position) =>
    toolCall(tool, position === 0 ? `${idPrefix}${index}` : `${idPrefix}${index}_${position}`),
  );
  const text =
    view.toolChoice.type === 'auto' ? `I will call ${calls.map((call) => call.name).join(' and ')}.` : '';
  const pieces = text === '' ? [] : splitWords(text);
  let outputTokens = pieces.length;
  // A tool's name is one token, each argument delta another.
  for (const call of calls) outputTokens += call.argumentPieces.length + 1;
  return { index, text, pieces, toolCalls: calls, finish: 'tool_use', outputTokens };
}

export function buildAnswer(dialect: Dialect, model: string, view: MockChatView): MockAnswer {
  const seed = hashText(view.toolResultText ?? view.userText);
  const idSuffix = toHex(seed) + toHex(hashText(model, seed));
  const tools = chooseTools(view);
  const idPrefix = `${dialect === 'openai' ? 'call_' : 'toolu_'}mock${idSuffix}`;
  const choices: MockChoice[] = [];
  let outputTokens = 0;
  for (let index = 0; index < view.choiceCount; index++) {
    const choice =
      tools.length === 0 ? textChoice(view, index, seed) : toolChoice(view, tools, index, idPrefix);
    choices.push(choice);
    outputTokens += choice.outputTokens;
  }
  return { idSuffix, choices, inputTokens: view.promptTokens, outputTokens };
}
