import { describe, expect, it } from 'vitest';
import { openaiCodec } from '../dialects/index.js';
import type { UpstreamResponse } from '../providers/contract.js';
import { StreamRelay, type Frame } from './stream-relay.js';

const chunk = (content: string): string =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const finish = `data: ${JSON.stringify({ id: 'c1', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`;

function upstream(reads: readonly Buffer[]): UpstreamResponse {
  return {
    status: 200,
    headers: {},
    body: {
      [Symbol.asyncIterator]: () => {
        const iterator = reads[Symbol.iterator]();
        return { next: () => Promise.resolve(iterator.next()) };
      },
    },
    readAll: () => Promise.resolve(Buffer.concat(reads)),
    cancel: () => undefined,
  };
}

async function relay(reads: readonly Buffer[]): Promise<Frame[]> {
  const relayed = new StreamRelay({
    response: upstream(reads),
    controller: new AbortController(),
    upstreamCodec: openaiCodec,
    clientEncoder: undefined,
    clientDialect: 'openai',
    stallMs: 5_000,
    finishGraceMs: 1_000,
  });
  const begun = await relayed.begin(5_000);
  if (!begun.ok) throw begun.error;
  const out: Frame[] = [];
  for await (const frame of relayed.frames(begun.frames)) out.push(frame);
  return out;
}

describe('StreamRelay, same dialect', () => {
  it('relays the bytes as they came, each read as one write, without copying whole reads', async () => {
    const text = [chunk('Hel'), chunk('lo'), chunk(' there'), finish, 'data: [DONE]\n\n'].join('');
    // A whole read of three frames, then a read that ends mid-frame, then the rest.
    const bytes = Buffer.from(text);
    const cut1 = chunk('Hel').length + chunk('lo').length + chunk(' there').length;
    const reads = [bytes.subarray(0, cut1), bytes.subarray(cut1, cut1 + 20), bytes.subarray(cut1 + 20)];
    const out = await relay(reads.map((read) => Buffer.from(read)));
    expect(Buffer.concat(out.map((frame) => Buffer.from(frame))).toString()).toBe(text);
    expect(out).toHaveLength(2);
  });

  it('gives a read of whole frames back as a view of that read', async () => {
    const text = [chunk('a'), chunk('b'), chunk('c'), finish, 'data: [DONE]\n\n'].join('');
    // Not from Buffer's shared pool, where a copy could land in the same memory.
    const read = Buffer.alloc(Buffer.byteLength(text), text);
    const out = await relay([read]);
    expect(out).toHaveLength(1);
    const frame = out[0] as Buffer;
    expect(frame.buffer).toBe(read.buffer);
    expect(frame.byteOffset).toBe(read.byteOffset);
    expect(frame.toString()).toBe(read.toString());
  });
});
