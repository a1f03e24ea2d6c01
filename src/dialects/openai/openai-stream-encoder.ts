import type { ChatStreamEvent, Usage } from '../../llm/index.js';
import type { StreamEncoder, StreamEncoderOptions } from '../codec.js';
import { nowSeconds, sseFrame } from '../shared/wire.js';
import { encodeOpenaiFinishReason, encodeOpenaiUsage, openaiCompletionId } from './openai-response.js';

/**
 * Canonical events to `chat.completion.chunk` frames. Every chunk carries the same id, created time
 * and model; each choice's first chunk carries `role: "assistant"`. Usage is held back until the
 * end, because OpenAI sends it in the last chunk before `[DONE]` (`stream_options.include_usage`).
 */
export class OpenaiStreamEncoder implements StreamEncoder {
  private id: string | undefined;
  private created = 0;
  private readonly choicesWithRole = new Set<number>();
  private usage: Usage | undefined;

  constructor(private readonly options: StreamEncoderOptions) {}

  encode(event: ChatStreamEvent): string {
    switch (event.type) {
      case 'start':
        this.id = openaiCompletionId(event.id);
        this.created = event.created;
        // OpenAI opens with an empty assistant delta; clients see the role before any text.
        return this.chunk(0, { content: '' });
      case 'text':
        return this.chunk(event.choice, { content: event.text });
      case 'tool_call_start':
        return this.chunk(event.choice, {
          tool_calls: [
            {
              index: event.index,
              id: event.id,
              type: 'function',
              function: { name: event.name, arguments: '' },
            },
          ],
        });
      case 'tool_call_delta':
        return this.chunk(event.choice, {
          tool_calls: [{ index: event.index, function: { arguments: event.arguments } }],
        });
      case 'finish':
        return this.chunk(event.choice, {}, encodeOpenaiFinishReason(event.reason));
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'end':
        return this.end();
    }
  }

  private end(): string {
    // Without a usage event there is nothing true to report; invented zeros would mislead billing.
    const usage =
      this.options.includeUsage && this.usage !== undefined
        ? sseFrame({ ...this.envelope(), choices: [], usage: encodeOpenaiUsage(this.usage) })
        : '';
    return `${usage}data: [DONE]\n\n`;
  }

  private chunk(choice: number, delta: Record<string, unknown>, finishReason: string | null = null): string {
    const role = this.choicesWithRole.has(choice) ? {} : { role: 'assistant' };
    this.choicesWithRole.add(choice);
    return sseFrame({
      ...this.envelope(),
      choices: [{ index: choice, delta: { ...role, ...delta }, logprobs: null, finish_reason: finishReason }],
      // With `include_usage`, OpenAI puts `usage: null` on every chunk but the last.
      ...(this.options.includeUsage ? { usage: null } : {}),
    });
  }

  private envelope(): Record<string, unknown> {
    if (this.id === undefined) {
      this.id = openaiCompletionId('');
      this.created = nowSeconds();
    }
    return { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.options.model };
  }
}
