import { describe, expect, it } from 'vitest';
import { createPiiRedaction, piiTypes, type PiiRedaction } from '../../guard/pii/index.js';
import { mapFrames } from '../frames.js';
import { createCall, noMeta, type Answer } from '../stage.js';
import { context } from '../test-fakes.js';
import { createRedactAnswerStage } from './redact-answer.js';
import { createRedactRequestStage } from './redact-request.js';

const redaction = createPiiRedaction(new Set(piiTypes), () => undefined);
const failing: PiiRedaction = {
  request: () => {
    throw new Error('detector bug');
  },
  jsonAnswer: () => {
    throw new Error('detector bug');
  },
  streamAnswer: () => () => {
    throw new Error('detector bug');
  },
};
const answered = { provider: 'p', model: 't', attempts: 1 };
const jsonAnswer = (body: unknown): Answer => ({
  type: 'json',
  body: Buffer.from(JSON.stringify(body)),
  meta: noMeta,
  answered,
  usage: undefined,
  savedCostUsd: 0,
});
const streamAnswer = (frames: string[]): Answer => ({
  type: 'stream',
  frames: mapFrames(
    {
      [Symbol.asyncIterator]: () => {
        const queue = [...frames];
        return {
          next: () =>
            Promise.resolve(
              queue.length === 0
                ? { done: true, value: undefined }
                : { done: false, value: queue.shift() ?? '' },
            ),
        };
      },
    },
    (frame) => frame,
  ),
  ending: undefined,
  meta: noMeta,
  answered,
  usage: undefined,
  savedCostUsd: 0,
});

async function collect(answer: Answer): Promise<string> {
  if (answer.type === 'json') return answer.body.toString();
  let text = '';
  for await (const frame of answer.frames)
    text += typeof frame === 'string' ? frame : Buffer.from(frame).toString();
  return text;
}

describe('the redact-request stage', () => {
  it('replaces the text of the body the stages after it read, and lets the request go on', () => {
    const call = createCall(
      context({ messages: [{ role: 'user', content: 'mail jane@example.com' }] }),
      undefined,
    );
    const failures: unknown[] = [];
    expect(createRedactRequestStage(redaction, (error) => failures.push(error)).run(call)).toEqual({
      type: 'continue',
    });
    expect(call.context.body.messages).toEqual([{ role: 'user', content: 'mail [EMAIL]' }]);
    expect(failures).toEqual([]);
  });

  it('never fails a request because of its own error: it reports it and the request goes on', () => {
    const call = createCall(context(), undefined);
    const failures: unknown[] = [];
    expect(createRedactRequestStage(failing, (error) => failures.push(error)).run(call)).toEqual({
      type: 'continue',
    });
    expect(failures).toHaveLength(1);
  });
});

describe('the redact-answer stage', () => {
  const chunk = (content: string) =>
    `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content } }] })}\n\n`;

  it('masks a JSON answer and a stream', async () => {
    const stage = createRedactAnswerStage(redaction, () => undefined);
    const call = createCall(context(), undefined);
    const json = await stage.wrap(
      jsonAnswer({ choices: [{ message: { content: 'mail jane@example.com' } }] }),
      call,
    );
    expect(await collect(json)).toContain('mail [EMAIL]');
    const stream = await stage.wrap(
      streamAnswer([chunk('mail jane@exa'), chunk('mple.com'), 'data: [DONE]\n\n']),
      call,
    );
    expect(await collect(stream)).not.toContain('jane');
  });

  it('leaves embeddings answers alone', async () => {
    const stage = createRedactAnswerStage(redaction, () => undefined);
    const call = createCall({ ...context(), operation: 'embeddings' }, undefined);
    const answer = jsonAnswer({ data: [{ embedding: [1] }], note: 'jane@example.com' });
    expect(await stage.wrap(answer, call)).toBe(answer);
  });

  it('never fails an answer because of its own error: it reports it and the answer goes on as it came', async () => {
    const failures: unknown[] = [];
    const stage = createRedactAnswerStage(failing, (error) => failures.push(error));
    const call = createCall(context(), undefined);
    const json = jsonAnswer({ choices: [] });
    expect(await stage.wrap(json, call)).toBe(json);
    const frames = [chunk('one'), chunk('two')];
    expect(await collect(await stage.wrap(streamAnswer(frames), call))).toBe(frames.join(''));
    expect(failures).toHaveLength(3);
  });
});
