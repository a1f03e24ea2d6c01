import { anthropicDeltaUsage, anthropicTextBlock, anthropicUsage } from '../../dialects/index.js';
import type { MockAnswer, MockChoice, MockFinish } from './mock-answer.js';
import type { MockFrames } from './mock-body.js';
import type { WireContext } from './mock-openai-wire.js';

/**
 * The mock's answers in the Anthropic Messages wire format
 * (https://docs.anthropic.com/en/api/messages and .../messages-streaming): a message object, or
 * the event sequence message_start, content_block_start, ping, content_block_delta...,
 * content_block_stop, message_delta, message_stop. Anthropic has no `n`: only the first choice.
 * Usage objects and text blocks are written by the gateway's own Anthropic dialect, so the mock
 * carries every field the official schema requires, as translated answers do.
 */

const stopReasons: Readonly<Record<MockFinish, string>> = {
  end: 'end_turn',
  stop_sequence: 'stop_sequence',
  max_tokens: 'max_tokens',
  tool_use: 'tool_use',
};

export function anthropicMessageId(answer: MockAnswer): string {
  return `msg_mock${answer.idSuffix}`;
}

/** The answer's content blocks: its text (unless it only calls tools), then each tool call. */
function contentOf(choice: MockChoice | undefined): Record<string, unknown>[] {
  const calls = choice?.toolCalls ?? [];
  const text = choice?.text ?? '';
  const blocks: Record<string, unknown>[] =
    calls.length === 0 || text !== '' ? [anthropicTextBlock(text)] : [];
  for (const call of calls)
    blocks.push({ type: 'tool_use', id: call.id, name: call.name, input: call.input });
  return blocks;
}

export function anthropicMessage(answer: MockAnswer, context: WireContext): Uint8Array {
  const choice = answer.choices[0];
  const body = {
    id: anthropicMessageId(answer),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: contentOf(choice),
    stop_reason: stopReasons[choice?.finish ?? 'end'],
    stop_sequence: choice?.stopSequence ?? null,
    usage: anthropicUsage({ inputTokens: answer.inputTokens, outputTokens: choice?.outputTokens ?? 0 }),
  };
  return Buffer.from(JSON.stringify(body));
}

function event(name: string, data: string): Uint8Array {
  return Buffer.from(`event: ${name}\ndata: ${data}\n\n`);
}

const ping = event('ping', '{"type": "ping"}');
const messageStop = event('message_stop', '{"type":"message_stop"}');

/** One content block's events: its start (empty), its deltas, its stop. */
function blockEvents(index: number, block: Record<string, unknown>, deltas: readonly string[]): Uint8Array[] {
  const events = [
    event(
      'content_block_start',
      `{"type":"content_block_start","index":${index},"content_block":${JSON.stringify(block)}}`,
    ),
  ];
  // Anthropic sends a ping after the first block starts.
  if (index === 0) events.push(ping);
  const deltaPrefix = `{"type":"content_block_delta","index":${index},"delta":`;
  for (const delta of deltas) events.push(event('content_block_delta', `${deltaPrefix}${delta}}`));
  events.push(event('content_block_stop', `{"type":"content_block_stop","index":${index}}`));
  return events;
}

export function anthropicStreamFrames(answer: MockAnswer, context: WireContext): MockFrames {
  const choice = answer.choices[0];
  const id = anthropicMessageId(answer);
  const start = {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: context.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // Anthropic reports one output token at the start.
      usage: anthropicUsage({ inputTokens: answer.inputTokens, outputTokens: 1 }),
    },
  };
  const events: Uint8Array[] = [event('message_start', JSON.stringify(start))];
  const calls = choice?.toolCalls ?? [];
  let index = 0;
  if (calls.length === 0 || choice?.text !== '') {
    const deltas = (choice?.pieces ?? []).map(
      (piece) => `{"type":"text_delta","text":${JSON.stringify(piece)}}`,
    );
    events.push(...blockEvents(index, anthropicTextBlock(''), deltas));
    index += 1;
  }
  for (const call of calls) {
    const block = { type: 'tool_use', id: call.id, name: call.name, input: {} };
    const deltas = call.argumentPieces.map(
      (piece) => `{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}`,
    );
    events.push(...blockEvents(index, block, deltas));
    index += 1;
  }
  const delta = {
    type: 'message_delta',
    delta: { stop_reason: stopReasons[choice?.finish ?? 'end'], stop_sequence: choice?.stopSequence ?? null },
    usage: anthropicDeltaUsage({ inputTokens: answer.inputTokens, outputTokens: choice?.outputTokens ?? 0 }),
  };
  events.push(event('message_delta', JSON.stringify(delta)));
  return {
    events,
    terminator: messageStop,
    malformed: event(
      'content_block_delta',
      '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"',
    ),
  };
}
