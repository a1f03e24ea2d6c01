import type { ChatRequest, ResponseFormat, TextPart, ToolCallPart } from '../../llm/index.js';
import { expectOneOf, expectRecord, isPresent, isRecord } from '../shared/validation.js';
import { readRecord } from '../shared/wire.js';

/**
 * Structured output across the dialects.
 *
 * OpenAI's `response_format` (`json_schema`, `json_object`) has no Messages parameter outside a
 * beta, so it is sent to an Anthropic model as a tool whose input schema is the requested schema,
 * forced with `tool_choice`: Anthropic constrains a forced tool's input to its schema, which is
 * the documented way to get JSON from Claude. The tool's input then comes back as the answer's
 * text, as OpenAI returns structured output, and the `tool_use` stop is an ordinary end.
 *
 * Anthropic's structured outputs (`output_config.format`, and the beta's `output_format`) are the
 * other direction: they become `response_format: json_schema`.
 */

export interface OutputTool {
  readonly name: string;
  readonly description: string;
  readonly input_schema: Readonly<Record<string, unknown>>;
}

/** `json_object` asks for any JSON object: a schema that allows any object is its faithful form. */
const anyObject = { type: 'object', additionalProperties: true } as const;

/** The forced tool standing for the request's structured output; undefined for free text. */
export function outputToolOf(format: ResponseFormat | undefined): OutputTool | undefined {
  switch (format?.type) {
    case undefined:
    case 'text':
      return undefined;
    case 'json_object':
      return {
        name: 'json_response',
        description: 'Give your whole answer as this JSON object.',
        input_schema: anyObject,
      };
    case 'json_schema':
      return {
        name: format.name === '' ? 'json_response' : format.name,
        description: 'Give your whole answer as this JSON value, following its schema.',
        input_schema: format.schema,
      };
  }
}

/** The name of the forced tool whose input is the answer, when the request asked for JSON. */
export function outputToolName(request: ChatRequest | undefined): string | undefined {
  return outputToolOf(request?.responseFormat)?.name;
}

/** The answer's content with the output tool's call turned into the JSON text it stands for. */
export function outputAsText(
  content: readonly (TextPart | ToolCallPart)[],
  toolName: string,
): (TextPart | ToolCallPart)[] {
  return content.map((part) =>
    part.type === 'tool_call' && part.name === toolName ? { type: 'text', text: part.arguments } : part,
  );
}

/** Where a Messages request asks for structured output: the GA parameter first, then the beta's. */
function outputFormatOf(body: Record<string, unknown>): { value: unknown; param: string } | undefined {
  const config = readRecord(body.output_config);
  if (isPresent(config.format)) return { value: config.format, param: 'output_config.format' };
  if (isPresent(body.output_format)) return { value: body.output_format, param: 'output_format' };
  return undefined;
}

/** Validation of `output_config.format` / `output_format` (Anthropic's `JsonOutputFormat`). */
export function checkOutputFormat(body: Record<string, unknown>): void {
  if (isPresent(body.output_config)) expectRecord(body.output_config, 'output_config');
  const found = outputFormatOf(body);
  if (found === undefined) return;
  const format = expectRecord(found.value, found.param);
  expectOneOf(format.type, `${found.param}.type`, ['json_schema']);
  expectRecord(format.schema, `${found.param}.schema`);
}

/** A validated Messages request's structured output in canonical form. */
export function decodeOutputFormat(body: Record<string, unknown>): ResponseFormat | undefined {
  const format = outputFormatOf(body)?.value;
  if (!isRecord(format) || format.type !== 'json_schema') return undefined;
  // OpenAI requires a name; Anthropic's format has none.
  return { type: 'json_schema', name: 'output', schema: readRecord(format.schema) };
}
