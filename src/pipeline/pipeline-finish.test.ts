import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../errors/index.js';
import type { StreamSummary } from '../routing/index.js';
import type { AnswerStage } from './stage.js';
import { answered, context, fakePipeline, jsonOutcome, principal, tagging, usage } from './test-fakes.js';

describe('the pipeline, finishing', () => {
  it('finishes a request once, however often `finished` is called', async () => {
    const fake = fakePipeline();
    const handled = await fake.pipeline.handle(context());
    handled.finished(200);
    handled.finished(200);
    await fake.pipeline.drain();
    expect(fake.log).toHaveBeenCalledOnce();
    expect(fake.records).toMatchObject([{ status: 200, inputTokens: 3, outputTokens: 4, costUsd: 0.5 }]);
    expect(fake.settle).toHaveBeenCalledExactlyOnceWith({ tokens: 7, costUsd: 0.5 });
  });

  it('accounts a stream once it has ended, at the status its ending implies', async () => {
    let end: (summary: StreamSummary) => void = () => undefined;
    const ending = new Promise<StreamSummary>((resolve) => (end = resolve));
    // eslint-disable-next-line @typescript-eslint/require-await -- a source that is ready at once
    const frames = (async function* () {
      yield 'data: {}\n\n';
    })();
    const fake = fakePipeline(undefined, () =>
      Promise.resolve({ type: 'stream', answered, frames, summary: ending }),
    );
    const handled = await fake.pipeline.handle(context({ stream: true }));
    expect(handled.result.type).toBe('stream');
    handled.finished(200);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.log).not.toHaveBeenCalled();
    const cut = new GatewayError('client_closed_request', 'gone');
    end({ complete: false, usage, error: cut, recoveredBy: undefined, outputText: 'x' });
    await fake.pipeline.drain();
    expect(fake.records).toMatchObject([{ status: 499, stream: true, errorCode: 'client_closed_request' }]);
  });

  it('leaves an answer alone when an answer stage has nothing to do for the call', async () => {
    const untouched: AnswerStage = { name: 'idle', wrap: (answer) => answer };
    const fake = fakePipeline(() => ({ outputScan: untouched }));
    const handled = await fake.pipeline.handle(context());
    expect(handled.result.type === 'json' && handled.result.body).toBe(
      jsonOutcome.type === 'json' && jsonOutcome.body,
    );
  });

  it('waits for an answer stage that answers with a promise', async () => {
    const later: AnswerStage = {
      name: 'later',
      wrap: (answer) =>
        Promise.resolve(answer.type === 'json' ? { ...answer, body: Buffer.from('"later"') } : answer),
    };
    const fake = fakePipeline((events) => ({ outputScan: later, toolFirewall: tagging('|then', events) }));
    const handled = await fake.pipeline.handle(context());
    expect(handled.result.type === 'json' && handled.result.body.toString()).toBe('"later"|then');
  });

  it('takes an authentication http/ already did, without asking the key service again', async () => {
    const fake = fakePipeline();
    await fake.pipeline.handle(context(), { ok: true, principal });
    expect(fake.events).toEqual(['limit', 'route']);
    const refused = await fake.pipeline.handle(context(), {
      ok: false,
      error: new GatewayError('invalid_api_key', 'no key'),
    });
    expect(refused.result.type === 'error' && refused.result.error.code).toBe('invalid_api_key');
  });

  it('cancels an answered stream when an answer stage throws, answering with an internal error', async () => {
    const cancelled = vi.fn(() => Promise.resolve({ done: true as const, value: undefined }));
    const frames: AsyncIterable<string> = {
      [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => undefined), return: cancelled }),
    };
    const ending = Promise.resolve({
      complete: false,
      usage: undefined,
      error: undefined,
      recoveredBy: undefined,
      outputText: '',
    });
    const broken: AnswerStage = {
      name: 'broken',
      wrap: () => {
        throw new Error('a bug');
      },
    };
    const fake = fakePipeline(
      () => ({ outputScan: broken }),
      () => Promise.resolve({ type: 'stream', answered, frames, summary: ending }),
    );
    const handled = await fake.pipeline.handle(context({ stream: true }));
    expect(handled.result.type === 'error' && handled.result.error.code).toBe('internal_error');
    expect(cancelled).toHaveBeenCalledOnce();
    handled.finished(500);
    await fake.pipeline.drain();
    expect(fake.settle).toHaveBeenCalledOnce();
  });
});
