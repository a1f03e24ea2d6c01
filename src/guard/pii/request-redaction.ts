/**
 * Where a request carries text a provider would see, in either dialect: every message's content
 * (text parts, tool results), the system prompt, the arguments of tool calls in the history and
 * an embeddings input. Images, audio and signed thinking blocks are left as they are (a thinking
 * block's signature covers its text). Values are copied where their text changed and shared where
 * it did not, so a request without personal data costs a walk and no allocation.
 */
export type TextRewrite = (text: string) => string;
export type RequestDialect = 'openai' | 'anthropic';
export type RequestOperation = 'chat' | 'embeddings';

/**
 * Rewrites the text of a parsed request body in place: the members that changed (`messages`,
 * `system`, `input`) are replaced by rewritten copies before the cache and the provider read them.
 */
export function rewriteRequestText(
  body: Record<string, unknown>,
  dialect: RequestDialect,
  operation: RequestOperation,
  rewrite: TextRewrite,
): void {
  if (operation === 'embeddings') {
    replace(body, 'input', rewriteStrings(body.input, rewrite, 1));
    return;
  }
  const rewriteMessage = dialect === 'openai' ? openaiMessage : anthropicMessage;
  replace(
    body,
    'messages',
    mapArray(body.messages, (message) => rewriteMessage(message, rewrite)),
  );
  if (dialect === 'anthropic') replace(body, 'system', anthropicContent(body.system, rewrite));
}

function replace(body: Record<string, unknown>, member: string, value: unknown): void {
  if (value !== body[member]) body[member] = value;
}

function openaiMessage(message: unknown, rewrite: TextRewrite): unknown {
  if (!isObject(message)) return message;
  const content = openaiContent(message.content, rewrite);
  const toolCalls = mapArray(message.tool_calls, (call) => {
    if (!isObject(call) || !isObject(call.function)) return call;
    const rewritten = rewriteStrings(call.function.arguments, rewrite, 0);
    return rewritten === call.function.arguments
      ? call
      : { ...call, function: { ...call.function, arguments: rewritten } };
  });
  if (content === message.content && toolCalls === message.tool_calls) return message;
  return { ...message, content, ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }) };
}

function openaiContent(content: unknown, rewrite: TextRewrite): unknown {
  if (typeof content === 'string') return rewrite(content);
  return mapArray(content, (part) => textPart(part, rewrite));
}

function anthropicMessage(message: unknown, rewrite: TextRewrite): unknown {
  if (!isObject(message)) return message;
  const content = anthropicContent(message.content, rewrite);
  return content === message.content ? message : { ...message, content };
}

function anthropicContent(content: unknown, rewrite: TextRewrite): unknown {
  if (typeof content === 'string') return rewrite(content);
  return mapArray(content, (block) => anthropicBlock(block, rewrite));
}

function anthropicBlock(block: unknown, rewrite: TextRewrite): unknown {
  if (!isObject(block)) return block;
  switch (block.type) {
    case 'text':
      return textPart(block, rewrite);
    case 'tool_result': {
      const content = anthropicContent(block.content, rewrite);
      return content === block.content ? block : { ...block, content };
    }
    case 'tool_use': {
      const input = rewriteStrings(block.input, rewrite, 16);
      return input === block.input ? block : { ...block, input };
    }
    case 'document': {
      if (!isObject(block.source) || block.source.type !== 'text') return block;
      const data = rewriteStrings(block.source.data, rewrite, 0);
      return data === block.source.data ? block : { ...block, source: { ...block.source, data } };
    }
    default:
      return block;
  }
}

/** `{ type: 'text', text }`, the text part both dialects share. */
function textPart(part: unknown, rewrite: TextRewrite): unknown {
  if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') return part;
  const text = rewrite(part.text);
  return text === part.text ? part : { ...part, text };
}

/** Every string in `value`, down to `depth` levels of arrays and objects. */
function rewriteStrings(value: unknown, rewrite: TextRewrite, depth: number): unknown {
  if (typeof value === 'string') return rewrite(value);
  if (depth <= 0) return value;
  if (Array.isArray(value)) return mapArray(value, (item) => rewriteStrings(item, rewrite, depth - 1));
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const rewritten = rewriteStrings(item, rewrite, depth - 1);
    if (rewritten === item) continue;
    copy ??= { ...value };
    copy[key] = rewritten;
  }
  return copy ?? value;
}

/** `array` mapped, or `array` itself when no item changed (and anything that is not an array as is). */
function mapArray(array: unknown, map: (item: unknown) => unknown): unknown {
  if (!Array.isArray(array)) return array;
  let copy: unknown[] | undefined;
  array.forEach((item: unknown, index) => {
    const mapped = map(item);
    if (mapped === item) return;
    copy ??= array.slice();
    copy[index] = mapped;
  });
  return copy ?? array;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
