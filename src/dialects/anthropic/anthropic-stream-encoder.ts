import { GatewayError } from '../../errors/index.js';
import type { ChatStreamEvent, FinishReason, Usage } from '../../llm/index.js';
import type { StreamEncoder, StreamEncoderOptions } from '../codec.js';
import { sseFrame } from '../shared/wire.js';
import { encodeAnthropicStopReason } from './anthropic-response.js';
import { anthropicDeltaUsage, anthropicTextBlock, anthropicUsage } from './anthropic-usage.js';
import { anthropicMessageId, anthropicToolId } from './anthropic-wire.js';

type OpenBlock =
  | { readonly kind: 'text'; readonly index: number }
  | { readonly kind: 'tool'; readonly index: number; readonly tool: number };

/**
 * Canonical events to Messages stream events. A Messages answer has one choice, so events of other
 * choices are ignored. Blocks open and close as the answer switches between text and tool calls.
 * The stop reason and usage are held back for `message_delta`, because an OpenAI upstream sends
 * usage only after its finish chunk. `message_start` reports the prompt the gateway counted when
 * the upstream's start carries none: some clients (LangChain's ChatAnthropic) read the input count
 * only there; `message_delta` then carries the upstream's exact, cumulative counts.
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  private started = false;
  private openBlock: OpenBlock | undefined;
  private nextBlockIndex = 0;
  private readonly startedTools = new Set<number>();
  private finish: { readonly reason: FinishReason; readonly stopSequence?: string } | undefined;
  private usage: Usage | undefined;

  constructor(private readonly options: StreamEncoderOptions) {}

  encode(event: ChatStreamEvent): string {
    if ('choice' in event && event.choice !== 0) return '';
    switch (event.type) {
      case 'start':
        return this.start(event.id, event.usage);
      case 'text':
        return this.start('') + this.openText() + this.delta({ type: 'text_delta', text: event.text });
      case 'tool_call_start':
        return this.start('') + this.openTool(event.index, event.id, event.name);
      case 'tool_call_delta':
        return this.start('') + this.toolDelta(event.index, event.arguments);
      case 'finish':
        this.finish =
          event.stopSequence === undefined
            ? { reason: event.reason }
            : { reason: event.reason, stopSequence: event.stopSequence };
        return '';
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'end':
        return this.start('') + this.closeBlock() + this.end();
    }
  }

  /** `message_start` comes first whatever the first canonical event is. */
  private start(id: string, usage?: Partial<Usage>): string {
    if (this.started) return '';
    this.started = true;
    const message = {
      id: anthropicMessageId(id),
      type: 'message',
      role: 'assistant',
      model: this.options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsage(usage?.inputTokens === undefined ? this.promptUsage() : usage),
    };
    return sseFrame({ type: 'message_start', message }, 'message_start');
  }

  private promptUsage(): Partial<Usage> {
    const counted = this.options.promptTokens;
    return counted === undefined ? {} : { inputTokens: counted };
  }

  private openText(): string {
    if (this.openBlock?.kind === 'text') return '';
    const closed = this.closeBlock();
    this.openBlock = { kind: 'text', index: this.nextBlockIndex++ };
    return closed + this.blockStart(anthropicTextBlock(''));
  }

  private openTool(tool: number, id: string, name: string): string {
    const closed = this.closeBlock();
    this.startedTools.add(tool);
    this.openBlock = { kind: 'tool', index: this.nextBlockIndex++, tool };
    return closed + this.blockStart({ type: 'tool_use', id: anthropicToolId(id), name, input: {} });
  }

  private toolDelta(tool: number, partialJson: string): string {
    if (this.openBlock?.kind === 'tool' && this.openBlock.tool === tool) {
      return this.delta({ type: 'input_json_delta', partial_json: partialJson });
    }
    if (!this.startedTools.has(tool)) return '';
    // Anthropic blocks cannot be reopened, so arguments of an earlier call arriving after a later
    // call began have nowhere to go; no known upstream interleaves calls like this.
    throw new GatewayError(
      'upstream_invalid_response',
      'The upstream interleaved the arguments of two tool calls',
    );
  }

  private closeBlock(): string {
    if (this.openBlock === undefined) return '';
    const index = this.openBlock.index;
    this.openBlock = undefined;
    return sseFrame({ type: 'content_block_stop', index }, 'content_block_stop');
  }

  private blockStart(contentBlock: Record<string, unknown>): string {
    const index = this.openBlock?.index ?? 0;
    return sseFrame(
      { type: 'content_block_start', index, content_block: contentBlock },
      'content_block_start',
    );
  }

  private delta(delta: Record<string, unknown>): string {
    const index = this.openBlock?.index ?? 0;
    return sseFrame({ type: 'content_block_delta', index, delta }, 'content_block_delta');
  }

  private end(): string {
    const usage = anthropicDeltaUsage(this.usage ?? this.promptUsage());
    const delta = {
      // A stream that ended without a stop reason still ended on its own terms: `end_turn`.
      stop_reason: encodeAnthropicStopReason(this.finish?.reason ?? 'end'),
      stop_sequence: this.finish?.stopSequence ?? null,
    };
    return (
      sseFrame({ type: 'message_delta', delta, usage }, 'message_delta') +
      sseFrame({ type: 'message_stop' }, 'message_stop')
    );
  }
}
