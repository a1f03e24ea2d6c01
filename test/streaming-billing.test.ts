import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenCounter } from '../src/accounting/token-counter.js';
import { startMockServer, type MockServer } from '../src/providers/mock/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { startScriptedUpstream, type ScriptedUpstream } from './support/scripted-upstream.js';
import {
  eventually,
  isolatedState,
  usageRows,
  type IsolatedState,
  type UsageRow,
} from './support/shared-state.js';

/**
 * Streams are billed: a caller that did not ask for `include_usage` still has its stream's real
 * token counts and cost in its usage record (the gateway asks the upstream for usage and removes
 * the usage chunk before the caller sees it), and a stream from an upstream that never reports
 * usage is counted with a tokenizer. Usage records are read straight from Postgres.
 */

const inputPrice = 3;
const outputPrice = 15;
const messages = [{ role: 'user', content: 'Please count the tokens of this streamed answer' }];

let state: IsolatedState;
let mock: MockServer;
let scripted: ScriptedUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  state = await isolatedState('streaming');
  mock = await startMockServer({ port: 0, host: '127.0.0.1' });
  scripted = await startScriptedUpstream({ words: ['Counted', ' by', ' the', ' gateway', ' itself.'] });
  gateway = await startTestGateway({
    database_url: state.env.DATABASE_URL,
    database_schema: state.schema,
    providers: {
      upstream: { type: 'openai-compatible', base_url: `${mock.url}/v1` },
      scripted: { type: 'openai-compatible', base_url: `${scripted.url}/v1` },
    },
    models: {
      'billed-stream': { targets: [{ provider: 'upstream', model: 'mock-plain' }] },
      'counted-stream': { targets: [{ provider: 'scripted', model: 'scripted-model' }] },
    },
    pricing: {
      'upstream/mock-plain': { input: inputPrice, output: outputPrice },
      'scripted/scripted-model': { input: inputPrice, output: outputPrice },
    },
    cache: { enabled: false },
    usage: { flush_interval_ms: 100 },
  });
});

afterAll(async () => {
  await gateway?.close();
  await mock?.close();
  await scripted?.close();
  await state?.cleanUp();
});

/** The `data:` frames of an SSE stream. */
async function streamFrames(url: string, body: Record<string, unknown>, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.text()).split('\n\n').filter((frame) => frame.startsWith('data: '));
}

function viaGateway(body: Record<string, unknown>, requestId: string) {
  return streamFrames(`${gateway.url}/v1/chat/completions`, body, {
    authorization: `Bearer ${gateway.masterKey}`,
    'x-request-id': requestId,
  });
}

/** Frames with the fields that differ between two runs (id, creation time) made equal. */
function shape(frame: string): string {
  return frame === 'data: [DONE]'
    ? frame
    : JSON.stringify({ ...(JSON.parse(frame.slice(6)) as object), id: 'x', created: 0 });
}

async function recordOf(requestId: string): Promise<UsageRow> {
  const rows = await eventually(
    async () => (await usageRows(state.db)).filter((row) => row.request_id === requestId),
    (found) => found.length > 0,
    10_000,
    `the usage record of ${requestId}`,
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('streamed requests are billed', () => {
  it('without include_usage: billed with the upstream usage and its price, and the stream unchanged', async () => {
    // What the upstream reports when asked for usage directly.
    const direct = await streamFrames(
      `${mock.url}/v1/chat/completions`,
      { model: 'mock-plain', stream: true, stream_options: { include_usage: true }, messages },
      {},
    );
    const usageFrame = direct.find((frame) => frame.includes('"usage":{'));
    const usage = (
      JSON.parse(usageFrame!.slice(6)) as { usage: { prompt_tokens: number; completion_tokens: number } }
    ).usage;
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    expect(usage.completion_tokens).toBeGreaterThan(0);
    const withoutUsage = await streamFrames(
      `${mock.url}/v1/chat/completions`,
      { model: 'mock-plain', stream: true, messages },
      {},
    );

    const frames = await viaGateway({ model: 'billed-stream', stream: true, messages }, 'stream-billing-1');
    // The caller's stream is what the upstream sends a caller that did not ask for usage.
    expect(frames.map(shape)).toEqual(withoutUsage.map(shape));
    expect(frames.some((frame) => frame.includes('"usage"'))).toBe(false);

    const record = await recordOf('stream-billing-1');
    expect(record.stream).toBe(true);
    expect(record.status).toBe(200);
    expect(record.provider).toBe('upstream');
    expect(record.target_model).toBe('mock-plain');
    expect(record.input_tokens).toBe(usage.prompt_tokens);
    expect(record.output_tokens).toBe(usage.completion_tokens);
    const expectedCost = (usage.prompt_tokens * inputPrice + usage.completion_tokens * outputPrice) / 1e6;
    console.info(
      `upstream usage ${usage.prompt_tokens} in / ${usage.completion_tokens} out; billed ${record.input_tokens} / ${record.output_tokens}, $${record.cost_usd}`,
    );
    expect(record.cost_usd).toBeGreaterThan(0);
    expect(record.cost_usd).toBeCloseTo(expectedCost, 12);
  });

  it('with include_usage: the caller gets the usage chunk it asked for, billed the same', async () => {
    const frames = await viaGateway(
      { model: 'billed-stream', stream: true, stream_options: { include_usage: true }, messages },
      'stream-billing-2',
    );
    const usageFrame = frames.find((frame) => frame.includes('"usage":{'));
    expect(usageFrame).toBeDefined();
    const usage = (
      JSON.parse(usageFrame!.slice(6)) as { usage: { prompt_tokens: number; completion_tokens: number } }
    ).usage;
    const record = await recordOf('stream-billing-2');
    expect(record.input_tokens).toBe(usage.prompt_tokens);
    expect(record.output_tokens).toBe(usage.completion_tokens);
  });

  it('from an upstream that ignores include_usage: tokens counted with the tokenizer, and priced', async () => {
    const body = { model: 'counted-stream', stream: true, messages };
    const before = scripted.count();
    const frames = await viaGateway(body, 'stream-billing-3');
    expect(frames.some((frame) => frame.includes('"usage"'))).toBe(false);
    const text = frames
      .filter((frame) => frame !== 'data: [DONE]')
      .map((frame) => {
        const chunk = JSON.parse(frame.slice(6)) as { choices: { delta: { content?: string } }[] };
        return chunk.choices[0]?.delta.content ?? '';
      })
      .join('');
    expect(text).toBe('Counted by the gateway itself.');
    // The gateway asked for usage; this upstream answers without it.
    const upstreamRequest = scripted.requests[before]!;
    expect(JSON.parse(upstreamRequest.body)).toMatchObject({ stream_options: { include_usage: true } });

    const record = await recordOf('stream-billing-3');
    const counted = await createTokenCounter().countUsage({
      body,
      dialect: 'openai',
      model: 'scripted-model',
      outputText: text,
    });
    console.info(
      `no upstream usage: counted ${counted.inputTokens} in / ${counted.outputTokens} out; billed ${record.input_tokens} / ${record.output_tokens}, $${record.cost_usd}`,
    );
    expect(record.input_tokens).toBeGreaterThan(0);
    expect(record.output_tokens).toBeGreaterThan(0);
    expect(record.input_tokens).toBe(counted.inputTokens);
    expect(record.output_tokens).toBe(counted.outputTokens);
    expect(record.cost_usd).toBeGreaterThan(0);
    expect(record.cost_usd).toBeCloseTo(
      (counted.inputTokens * inputPrice + counted.outputTokens * outputPrice) / 1e6,
      12,
    );
  });
});
