import type {
  ChatChoice,
  ChatResponse,
  ChatStreamEvent,
  FinishReason,
  TextPart,
  ToolCallPart,
  Usage,
} from '../llm/index.js';

/**
 * Finish reasons of answers worth keeping. A content filter or a refusal is left out: safety
 * classifiers are often tuned, or flaky (Azure's), and a cached refusal would outlive the reason.
 */
const storableFinishes: ReadonlySet<FinishReason> = new Set([
  'end',
  'max_tokens',
  'stop_sequence',
  'tool_use',
]);

export type Assembled =
  | { readonly type: 'complete'; readonly response: ChatResponse }
  | { readonly type: 'incomplete'; readonly reason: string };

interface ToolDraft {
  readonly type: 'tool_call';
  readonly id: string;
  readonly name: string;
  arguments: string;
}

interface TextDraft {
  readonly type: 'text';
  text: string;
}

interface ChoiceDraft {
  readonly parts: (TextDraft | ToolDraft)[];
  readonly tools: Map<number, ToolDraft>;
  finish: FinishReason | undefined;
  stopSequence: string | undefined;
}

/**
 * Builds the canonical response from a stream's canonical events, in either dialect. Only a stream
 * that reached its own terminator, with a finish reason for every choice, yields a response.
 */
export class AnswerAssembler {
  private id = '';
  private model = '';
  private created = 0;
  private usage: Usage | undefined;
  private ended = false;
  private characters = 0;
  private overflowed = false;
  private readonly choices = new Map<number, ChoiceDraft>();

  /** Past `maxCharacters` of text and arguments the answer is too large to cache; stop collecting. */
  constructor(private readonly maxCharacters: number) {}

  add(event: ChatStreamEvent): void {
    if (this.overflowed) return;
    switch (event.type) {
      case 'start':
        this.id = event.id;
        this.model = event.model;
        this.created = event.created;
        return;
      case 'text': {
        const parts = this.choice(event.choice).parts;
        const last = parts.at(-1);
        if (last?.type === 'text') last.text += event.text;
        else parts.push({ type: 'text', text: event.text });
        this.grow(event.text.length);
        return;
      }
      case 'tool_call_start': {
        const choice = this.choice(event.choice);
        const tool: ToolDraft = { type: 'tool_call', id: event.id, name: event.name, arguments: '' };
        choice.tools.set(event.index, tool);
        choice.parts.push(tool);
        this.grow(event.name.length);
        return;
      }
      case 'tool_call_delta': {
        const tool = this.choice(event.choice).tools.get(event.index);
        if (tool !== undefined) tool.arguments += event.arguments;
        this.grow(event.arguments.length);
        return;
      }
      case 'finish': {
        const choice = this.choice(event.choice);
        choice.finish = event.reason;
        choice.stopSequence = event.stopSequence;
        return;
      }
      case 'usage':
        this.usage = event.usage;
        return;
      case 'end':
        this.ended = true;
        return;
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  /** `fallbackUsage`: usage observed elsewhere when the caller's stream did not carry it. */
  result(fallbackUsage: Usage | undefined): Assembled {
    if (this.overflowed) return { type: 'incomplete', reason: 'too_large' };
    if (!this.ended) return { type: 'incomplete', reason: 'no_terminator' };
    if (this.choices.size === 0) return { type: 'incomplete', reason: 'no_choices' };
    const choices: ChatChoice[] = [];
    for (const [index, draft] of [...this.choices].sort(([a], [b]) => a - b)) {
      if (draft.finish === undefined) return { type: 'incomplete', reason: 'no_finish_reason' };
      if (!storableFinishes.has(draft.finish)) return { type: 'incomplete', reason: 'not_storable_finish' };
      choices.push({
        index,
        content: draft.parts.map((part): TextPart | ToolCallPart =>
          part.type === 'text'
            ? { type: 'text', text: part.text }
            : { type: 'tool_call', id: part.id, name: part.name, arguments: part.arguments },
        ),
        finishReason: draft.finish,
        ...(draft.stopSequence === undefined ? {} : { stopSequence: draft.stopSequence }),
      });
    }
    const usage = this.usage ?? fallbackUsage;
    const response: ChatResponse = {
      id: this.id,
      model: this.model,
      created: this.created,
      choices,
      ...(usage === undefined ? {} : { usage }),
    };
    return { type: 'complete', response };
  }

  private choice(index: number): ChoiceDraft {
    let draft = this.choices.get(index);
    if (draft === undefined) {
      draft = { parts: [], tools: new Map(), finish: undefined, stopSequence: undefined };
      this.choices.set(index, draft);
    }
    return draft;
  }

  private grow(characters: number): void {
    this.characters += characters;
    if (this.characters > this.maxCharacters) {
      this.overflowed = true;
      this.choices.clear();
    }
  }
}

/** A non-streaming answer is worth keeping when every choice finished for a storable reason. */
export function storableResponse(response: ChatResponse): Assembled {
  if (response.choices.length === 0) return { type: 'incomplete', reason: 'no_choices' };
  for (const choice of response.choices) {
    if (choice.finishReason === null) return { type: 'incomplete', reason: 'no_finish_reason' };
    if (!storableFinishes.has(choice.finishReason))
      return { type: 'incomplete', reason: 'not_storable_finish' };
  }
  return { type: 'complete', response };
}
