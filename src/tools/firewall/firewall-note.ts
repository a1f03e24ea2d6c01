import { passes, type ToolCallVerdict } from './tool-call-verdict.js';

/**
 * How an answer tells its caller what the firewall took out: a note in the assistant's text (JSON
 * and streams alike), and for JSON answers two headers. The note is for the model as much as for
 * the caller: an agent that sends the answer back in its history shows the model what happened.
 */

export const removedCallsHeader = 'x-gatehouse-tool-calls-removed';
export const heldCallsHeader = 'x-gatehouse-tool-calls-held';

/** A reason as part of a sentence: one line, no closing full stop (the note adds its own). */
function clause(reason: string): string {
  return reason.replaceAll(/\s+/g, ' ').trim().replace(/\.+$/, '');
}

function noteLine(verdict: ToolCallVerdict): string {
  const { call } = verdict;
  const subject = `Tool call ${call.id === '' ? '(without an id)' : call.id} (${call.name === '' ? 'unnamed' : call.name})`;
  if (verdict.outcome === 'held')
    return `${subject} is held for human review ${verdict.reviewId ?? ''} and was removed: ${clause(verdict.reason)}.`;
  return `${subject} was removed by the Gatehouse tool firewall: ${clause(verdict.reason)}.`;
}

/** The note for the calls taken out, one line each; empty when every call passed. */
export function removalNote(verdicts: readonly ToolCallVerdict[]): string {
  return verdicts
    .filter((verdict) => !passes(verdict))
    .map(noteLine)
    .join('\n');
}

/** Text after text: a blank line between them. */
export function withNote(text: string, note: string): string {
  if (note === '') return text;
  return text === '' ? note : `${text}\n\n${note}`;
}

/**
 * A call id in a header value: ids come from the model or an upstream, so anything but plain
 * visible ASCII (and the list's own `,` and `=`) is percent-encoded.
 */
function headerSafe(id: string): string {
  return /^[\x21-\x7e]+$/.test(id) && !/[,=%]/.test(id) ? id : encodeURIComponent(id);
}

/**
 * `x-gatehouse-tool-calls-removed`: every call taken out (denied, failed or held);
 * `x-gatehouse-tool-calls-held`: those held, as `<call id>=<review id>`. Absent when empty.
 */
export function removalHeaders(verdicts: readonly ToolCallVerdict[]): Record<string, string> {
  const removed = verdicts.filter((verdict) => !passes(verdict));
  const held = removed.filter((verdict) => verdict.outcome === 'held');
  const headers: Record<string, string> = {};
  if (removed.length > 0)
    headers[removedCallsHeader] = removed.map((verdict) => headerSafe(verdict.call.id)).join(', ');
  if (held.length > 0)
    headers[heldCallsHeader] = held
      .map((verdict) => `${headerSafe(verdict.call.id)}=${headerSafe(verdict.reviewId ?? '')}`)
      .join(', ');
  return headers;
}
