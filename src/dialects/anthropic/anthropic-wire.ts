import type { CacheControl, ImageSource } from '../../llm/index.js';
import { isRecord } from '../shared/validation.js';
import { compact, readString, withIdPrefix } from '../shared/wire.js';

/** Small pieces of the Messages wire format shared by requests, responses and streams. */

export function decodeCacheControl(value: unknown): CacheControl | undefined {
  if (!isRecord(value) || value.type !== 'ephemeral') return undefined;
  return compact({ type: 'ephemeral' as const, ttl: readString(value.ttl) });
}

export function encodeCacheControl(control: CacheControl | undefined): Record<string, unknown> | undefined {
  return control === undefined ? undefined : compact({ type: control.type, ttl: control.ttl });
}

export function encodeImageSource(source: ImageSource): Record<string, unknown> {
  return source.kind === 'url'
    ? { type: 'url', url: source.url }
    : { type: 'base64', media_type: source.mediaType, data: source.data };
}

/**
 * Anthropic requires tool ids to match `^[a-zA-Z0-9_-]+$`; some OpenAI-compatible servers use other
 * characters. The same replacement applies to a call and its result, so they still pair up.
 */
export function anthropicToolId(id: string): string {
  const safe = id.replaceAll(/[^a-zA-Z0-9_-]/g, '_');
  return safe === '' ? 'toolu_' : safe;
}

/**
 * Tool-call arguments as the object Anthropic's `input` must be. OpenAI models sometimes send ""
 * for a call without arguments; anything else that is not a JSON object has no faithful form.
 */
export function toolInput(argumentsText: string): Record<string, unknown> | undefined {
  if (argumentsText.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function anthropicMessageId(id: string): string {
  return withIdPrefix(id, 'msg_', ['chatcmpl-']);
}
