import type { RequestDialect, TextRewrite } from './request-redaction.js';

/**
 * The text of a whole (non-streaming) answer in the caller's dialect: an OpenAI choice's message
 * content, an Anthropic text block. Tool calls are left as they are: their arguments are the
 * caller's program's input, and a masked address would make the call do something else (the
 * tool-call firewall decides about calls). Returns `body` itself when no text changed, or when it
 * is not an answer this can read (an error body, a shape it does not know): it never fails one.
 */
export function rewriteAnswerText(body: Buffer, dialect: RequestDialect, rewrite: TextRewrite): Buffer {
  let answer: unknown;
  try {
    answer = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  if (!isObject(answer)) return body;
  const changed = dialect === 'openai' ? openaiAnswer(answer, rewrite) : anthropicAnswer(answer, rewrite);
  return changed ? Buffer.from(JSON.stringify(answer)) : body;
}

function openaiAnswer(answer: Record<string, unknown>, rewrite: TextRewrite): boolean {
  let changed = false;
  for (const choice of arrayOf(answer.choices)) {
    if (!isObject(choice) || !isObject(choice.message)) continue;
    const { message } = choice;
    if (typeof message.content === 'string') {
      const content = rewrite(message.content);
      if (content !== message.content) {
        message.content = content;
        changed = true;
      }
    } else {
      changed = rewriteTextBlocks(message.content, rewrite) || changed;
    }
  }
  return changed;
}

function anthropicAnswer(answer: Record<string, unknown>, rewrite: TextRewrite): boolean {
  return rewriteTextBlocks(answer.content, rewrite);
}

/** `{ type: 'text', text }` items of an array, rewritten in place (the answer was parsed here). */
function rewriteTextBlocks(blocks: unknown, rewrite: TextRewrite): boolean {
  let changed = false;
  for (const block of arrayOf(blocks)) {
    if (!isObject(block) || block.type !== 'text' || typeof block.text !== 'string') continue;
    const text = rewrite(block.text);
    if (text !== block.text) {
      block.text = text;
      changed = true;
    }
  }
  return changed;
}

function arrayOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
