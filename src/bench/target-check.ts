import { request } from 'undici';
import type { LoadTarget } from './load-result.js';

/**
 * One request of each kind before any load: a target that answers wrongly (a 500 on every stream,
 * a missing route) must fail the run loudly, not show up as a fast row of errors in the table.
 */

export interface TargetCheck {
  /** Server-sent events in one streamed answer, `[DONE]` included. */
  readonly eventsPerStream: number;
}

const checkTimeoutMs = 10_000;

async function send(target: LoadTarget, body: string): Promise<{ status: number; text: string }> {
  const response = await request(`${target.url}${target.path}`, {
    method: 'POST',
    headers: target.headers,
    body,
    signal: AbortSignal.timeout(checkTimeoutMs),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

export function countEvents(text: string): number {
  return text.split(/\r?\n\r?\n/).filter((block) => /^data:/m.test(block)).length;
}

export async function checkTarget(label: string, target: LoadTarget): Promise<TargetCheck> {
  const answer = await send(target, target.nonStreamingBody);
  if (answer.status !== 200 || !answer.text.includes('"choices"')) {
    throw new Error(
      `${label} answered the benchmark request with ${answer.status}: ${answer.text.slice(0, 500)}`,
    );
  }
  const stream = await send(target, target.streamingBody);
  const events = countEvents(stream.text);
  if (stream.status !== 200 || !stream.text.includes('data: [DONE]') || events < 2) {
    throw new Error(
      `${label} answered the streaming request with ${stream.status}: ${stream.text.slice(0, 500)}`,
    );
  }
  return { eventsPerStream: events };
}
