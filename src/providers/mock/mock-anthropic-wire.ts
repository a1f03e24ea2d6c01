import { anthropicDeltaUsage, anthropicTextBlock, anthropicUsage } from '../../dialects/index.js';
import type { MockAnswer, MockFinish } from './mock-answer.js';
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

export function anthropicMessage(answer: MockAnswer, context: WireContext): Uint8Array {
  const choice = answer.choices[0];
  const call = choice?.toolCall;
  const body = {
    id: anthropicMessageId(answer),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content:
      call === undefined
        ? [anthropicTextBlock(choice?.text ?? '')]
        : [{ type: 'tool_use', id: call.id, name: call.name, input: call.input }],
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
const blockStop = event('content_block_stop', '{"type":"content_block_stop","index":0}');

export function anthropicStreamFrames(answer: MockAnswer, context: WireContext): MockFrames {
  const choice = answer.choices[0];
  const call = choice?.toolCall;
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
  const block =
    call === undefined
      ? anthropicTextBlock('')
      : { type: 'tool_use', id: call.id, name: call.name, input: {} };
  events.push(
    event(
      'content_block_start',
      `{"type":"content_block_start","index":0,"content_block":${JSON.stringify(block)}}`,
    ),
  );
  events.push(ping);
  const deltaPrefix = '{"type":"content_block_delta","index":0,"delta":';
  if (call === undefined) {
    for (const piece of choice?.pieces ?? []) {
      events.push(
        event('content_block_delta', `${deltaPrefix}{"type":"text_delta","text":${JSON.stringify(piece)}}}`),
      );
    }
  } else {
    for (const piece of call.argumentPieces) {
      events.push(
        event(
          'content_block_delta',
          `${deltaPrefix}{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}}`,
        ),
      );
    }
  }
  events.push(blockStop);
  const delta = {
    type: 'message_delta',
    delta: { stop_reason: stopReasons[choice?.finish ?? 'end'], stop_sequence: choice?.stopSequence ?? null },
    usage: anthropicDeltaUsage({ inputTokens: answer.inputTokens, outputTokens: choice?.outputTokens ?? 0 }),
  };
  events.push(event('message_delta', JSON.stringify(delta)));
  return {
    events,
    terminator: messageStop,
    malformed: event('content_block_delta', `${deltaPrefix}{"type":"text_delta","text":"`),
  };
}
