import { describe, expect, it, vi } from 'vitest';
import type { AnswerRecorder } from '../../caching/index.js';
import type { StreamSummary } from '../../routing/index.js';
import { createCall, noMeta, type Answer } from '../stage.js';
import { cacheRecordStage } from './cache-record.js';

const answered = { provider: 'p', model: 't', attempts: 1 };
const call = () =>
  createCall(
    {
      requestId: 'r',
      dialect: 'openai',
      operation: 'chat',
      headers: {},
      body: {},
      signal: new AbortController().signal,
      receivedAt: 0,
    },
    undefined,
  );
const json: Answer = {
  type: 'json',
  body: Buffer.from('{}'),
  meta: noMeta,
  answered,
  usage: undefined,
  savedCostUsd: 0,
};

describe('the cache-record answer stage', () => {
  it('leaves an answer alone, unwrapped, when the cache wants nothing stored', () => {
    expect(cacheRecordStage.wrap(json, call())).toBe(json);
  });

  it('stores a JSON answer as it passes', () => {
    const recording = call();
    const store = vi.fn(() => Promise.resolve({ type: 'stored' as const }));
    recording.cacheRecorder = { json: store } as unknown as AnswerRecorder;
    expect(cacheRecordStage.wrap(json, recording)).toBe(json);
    expect(store).toHaveBeenCalledWith(json.body, answered);
  });

  it('observes a stream through the recorder’s frames', () => {
    const recording = call();
    const observed = (async function* () {})();
    const observe = vi.fn(() => ({
      frames: observed,
      recorded: Promise.resolve({ type: 'stored' as const }),
    }));
    recording.cacheRecorder = { stream: observe } as unknown as AnswerRecorder;
    const ending = Promise.resolve({} as StreamSummary);
    const frames = (async function* () {})();
    const stream: Answer = { ...json, type: 'stream', frames, ending };
    const wrapped = cacheRecordStage.wrap(stream, recording) as Answer;
    expect(wrapped.type === 'stream' && wrapped.frames).toBe(observed);
    expect(observe).toHaveBeenCalledWith(frames, ending, answered);
  });
});
