import OpenAI from 'openai';
import type { ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Answer, AnswerStage } from '../src/pipeline/index.js';
import { startMockServer, type MockServer } from '../src/providers/mock/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

/**
 * An answer stage sees the answer before the caller does and may rewrite it, JSON and stream alike,
 * tool-call deltas included, without holding text back: here one renames every tool call a model
 * returns (what the tool-call firewall will do to a call it refuses), through the real gateway,
 * for the built-in mock and for an OpenAI-compatible upstream whose stream passes through as bytes.
 */

const renamedTool = 'renamed_by_stage';
const rewrittenArguments = '{"rewritten":true}';

type Chunk = { choices?: { delta?: { tool_calls?: ToolCallDelta[] }; message?: Message }[] };
type ToolCallDelta = { function?: { name?: string; arguments?: string } };
type Message = { tool_calls?: ToolCallDelta[] };

/** Every tool call's name, and its arguments written whole by the delta that names it. */
function rewriteToolCalls(calls: ToolCallDelta[] | undefined): boolean {
  let changed = false;
  for (const call of calls ?? []) {
    if (call.function === undefined) continue;
    if (call.function.name !== undefined) {
      call.function.name = renamedTool;
      call.function.arguments = rewrittenArguments;
    } else if (call.function.arguments !== undefined) {
      call.function.arguments = '';
    }
    changed = true;
  }
  return changed;
}

const decoder = new TextDecoder();

function rewriteFrame(frame: Uint8Array | string): Uint8Array | string {
  const text = typeof frame === 'string' ? frame : decoder.decode(frame);
  const data = /^data: (\{.*\})\n\n$/s.exec(text)?.[1];
  if (data === undefined || !data.includes('"tool_calls"')) return frame;
  const chunk = JSON.parse(data) as Chunk;
  const changed = (chunk.choices ?? []).map((choice) => rewriteToolCalls(choice.delta?.tool_calls));
  return changed.includes(true) ? `data: ${JSON.stringify(chunk)}\n\n` : frame;
}

async function* rewriteFrames(frames: AsyncIterable<Uint8Array | string>): AsyncIterable<Uint8Array | string> {
  for await (const frame of frames) yield rewriteFrame(frame);
}

let stageSawAnswers = 0;

/** Applies only to requests that declare tools: every other answer passes untouched. */
const toolRenamingStage: AnswerStage = {
  name: 'tool-renaming',
  wrap(answer: Answer, call): Answer {
    if (call.summary?.hasTools !== true || call.context.dialect !== 'openai') return answer;
    stageSawAnswers += 1;
    if (answer.type === 'stream') return { ...answer, frames: rewriteFrames(answer.frames) };
    const body = JSON.parse(answer.body.toString('utf8')) as Chunk;
    for (const choice of body.choices ?? []) rewriteToolCalls(choice.message?.tool_calls);
    return { ...answer, body: Buffer.from(JSON.stringify(body)) };
  },
};

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
const question = [{ role: 'user' as const, content: 'What is the weather in Paris?' }];

let mock: MockServer;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  mock = await startMockServer({ port: 0, host: '127.0.0.1' });
  gateway = await startTestGateway(
    {
      providers: { upstream: { type: 'openai-compatible', base_url: `${mock.url}/v1` } },
      models: { relayed: { targets: [{ provider: 'upstream', model: 'mock-relayed' }] } },
    },
    { stages: { toolFirewall: toolRenamingStage } },
  );
  client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: gateway.masterKey, maxRetries: 0 });
});

afterAll(async () => {
  await gateway.close();
  await mock.close();
});

describe.each([
  ['the built-in mock', 'mock'],
  ['an OpenAI-compatible upstream, passed through', 'relayed'],
])('an answer stage, for %s', (_, model) => {
  it('rewrites the tool calls of a JSON answer before the caller gets it', async () => {
    const completion = await client.chat.completions.create({ model, messages: question, tools, tool_choice: 'required' });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function).toEqual({ name: renamedTool, arguments: rewrittenArguments });
  });

  it('rewrites the tool-call deltas of a stream before the caller gets them', async () => {
    const stream = await client.chat.completions.create({
      model,
      messages: question,
      tools,
      tool_choice: 'required',
      stream: true,
    });
    let name = '';
    let argumentsText = '';
    let deltas = 0;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        deltas += 1;
        name += delta.function?.name ?? '';
        argumentsText += delta.function?.arguments ?? '';
      }
    }
    // The mock streams a call's arguments in several deltas; each one passed through the stage.
    expect(deltas).toBeGreaterThan(1);
    expect({ name, argumentsText }).toEqual({ name: renamedTool, argumentsText: rewrittenArguments });
  });

  it('passes text frames on as they come: the caller reads them while the upstream stalls', async () => {
    const seen = stageSawAnswers;
    const aborter = new AbortController();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.masterKey}`,
        'content-type': 'application/json',
        // The upstream sends four events, then nothing more: a stage holding text back shows none.
        'x-mock-fault': 'stream-stall;after=4',
      },
      body: JSON.stringify({ model, messages: question, tools, tool_choice: 'none', stream: true }),
      signal: aborter.signal,
    });
    expect(response.status).toBe(200);
    if (response.body === null) throw new Error('a stream has a body');
    const reader = response.body.getReader();
    let received = '';
    const deadline = Date.now() + 10_000;
    while (!/"content":"\S/.test(received) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      received += decoder.decode(value);
    }
    aborter.abort();
    expect(received).toMatch(/"content":"\S/);
    expect(received).not.toContain('[DONE]');
    expect(stageSawAnswers).toBe(seen + 1);
  });
});

it('leaves answers to requests without tools untouched, unwrapped', async () => {
  const seen = stageSawAnswers;
  const completion = await client.chat.completions.create({ model: 'mock', messages: question });
  expect(completion.choices[0]?.message.content).toMatch(/^Mock answer to:/);
  expect(stageSawAnswers).toBe(seen);
});
