import type { MockAnswer, MockChoice, MockFinish } from './mock-answer.js';
import type { MockFrames } from './mock-body.js';

/**
 * The mock's answers in the OpenAI Chat Completions wire format
 * (https://platform.openai.com/docs/api-reference/chat), field for field as OpenAI sends them.
 * Stream chunks share one prefix, built once per stream, because benchmarks send thousands a second.
 */

export interface WireContext {
  readonly model: string;
  /** Unix seconds. */
  readonly created: number;
}

const finishReasons: Readonly<Record<MockFinish, string>> = {
  end: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  tool_use: 'tool_calls',
};

const fingerprint = 'fp_mock';

function usageOf(answer: MockAnswer): Record<string, unknown> {
  return {
    prompt_tokens: answer.inputTokens,
    completion_tokens: answer.outputTokens,
    total_tokens: answer.inputTokens + answer.outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export function openaiCompletionId(answer: MockAnswer): string {
  return `chatcmpl-mock${answer.idSuffix}`;
}

function messageOf(choice: MockChoice): Record<string, unknown> {
  const calls = choice.toolCalls;
  if (calls.length === 0) {
    return { role: 'assistant', content: choice.text, refusal: null, annotations: [] };
  }
  return {
    role: 'assistant',
    content: choice.text === '' ? null : choice.text,
    tool_calls: calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.name, arguments: call.argumentsJson },
    })),
    refusal: null,
    annotations: [],
  };
}

export function openaiCompletion(answer: MockAnswer, context: WireContext): Uint8Array {
  const body = {
    id: openaiCompletionId(answer),
    object: 'chat.completion',
    created: context.created,
    model: context.model,
    choices: answer.choices.map((choice) => ({
      index: choice.index,
      message: messageOf(choice),
      logprobs: null,
      finish_reason: finishReasons[choice.finish],
    })),
    usage: usageOf(answer),
    service_tier: 'default',
    system_fingerprint: fingerprint,
  };
  return Buffer.from(JSON.stringify(body));
}

const done = Buffer.from('data: [DONE]\n\n');

export function openaiStreamFrames(
  answer: MockAnswer,
  context: WireContext,
  includeUsage: boolean,
): MockFrames {
  const id = openaiCompletionId(answer);
  const prefix =
    `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${context.created},` +
    `"model":${JSON.stringify(context.model)},"service_tier":"default","system_fingerprint":"${fingerprint}",` +
    `"choices":[`;
  // With include_usage every chunk carries `"usage":null` until the final usage chunk.
  const suffix = includeUsage ? '],"usage":null}\n\n' : ']}\n\n';
  const chunk = (choiceJson: string): Uint8Array => Buffer.from(prefix + choiceJson + suffix);
  const events: Uint8Array[] = [];
  for (const choice of answer.choices) {
    const head = `{"index":${choice.index},"delta":`;
    const textDelta = (piece: string) =>
      chunk(`${head}{"content":${JSON.stringify(piece)}},"logprobs":null,"finish_reason":null}`);
    const calls = choice.toolCalls;
    const first = calls[0];
    if (first === undefined || choice.text !== '') {
      events.push(
        chunk(
          `${head}{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}`,
        ),
      );
      for (const piece of choice.pieces) events.push(textDelta(piece));
    }
    calls.forEach((call, position) => {
      const start = {
        index: position,
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: '' },
      };
      // OpenAI opens an answer that starts with a call with the role in the call's first delta.
      const opening = call === first && choice.text === '' ? '"role":"assistant","content":null,' : '';
      const closing = opening === '' ? '' : ',"refusal":null';
      events.push(
        chunk(
          `${head}{${opening}"tool_calls":[${JSON.stringify(start)}]${closing}},"logprobs":null,"finish_reason":null}`,
        ),
      );
      for (const piece of call.argumentPieces) {
        events.push(
          chunk(
            `${head}{"tool_calls":[{"index":${position},"function":{"arguments":${JSON.stringify(piece)}}}]},` +
              `"logprobs":null,"finish_reason":null}`,
          ),
        );
      }
    });
    events.push(chunk(`${head}{},"logprobs":null,"finish_reason":"${finishReasons[choice.finish]}"}`));
  }
  if (includeUsage) events.push(Buffer.from(`${prefix}],"usage":${JSON.stringify(usageOf(answer))}}\n\n`));
  return {
    events,
    terminator: done,
    malformed: Buffer.from(
      `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","choices":[{"delta":{"content":"\n\n`,
    ),
  };
}
